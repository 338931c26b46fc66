#!/usr/bin/env node
// What dist/ was built from: a digest of every input of `npm run build`. The
// build writes it last (`node scripts/build-stamp.js write`); `npm start`
// compares it with the sources and skips the build when they match.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(root, 'dist', 'build-stamp');
const INPUTS = [
  'domain',
  'projections',
  'services',
  'page',
  'scripts/build-page.js',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** The digest of the build's inputs, names and contents, as they are now. */
export function sourceDigest() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => files(join(root, input)))) {
    hash
      .update(`${relative(root, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Whether dist/ holds a build of the sources as they are now. */
export function builtFromSources() {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === sourceDigest();
}

if (process.argv[2] === 'write') writeFileSync(STAMP, `${sourceDigest()}\n`);
