#!/usr/bin/env node
// Bundles the operator page (page/) into dist/page: index.html and assets named by their content hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'page');
const out = join(root, 'dist', 'page');
const assets = join(out, 'assets');
// A fresh directory each build, so no stale hashed file outlives the page that named it.
rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: [join(source, 'src', 'main.tsx')],
  outdir: assets,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

/** The hashed name of each asset, keyed by its plain name (`main.js`), as index.html refers to them. */
const names = {};
for (const path of Object.keys(result.metafile.outputs)) {
  const name = basename(path);
  names[name.replace(/-[A-Z0-9]+(\.[a-z]+)$/, '$1')] = name;
}
const favicon = readFileSync(join(source, 'favicon.svg'));
const faviconName = `favicon-${createHash('sha256').update(favicon).digest('hex').slice(0, 8).toUpperCase()}.svg`;
writeFileSync(join(assets, faviconName), favicon);
names['favicon.svg'] = faviconName;

const html = readFileSync(join(source, 'index.html'), 'utf8').replace(/\{\{([\w.]+)\}\}/g, (_, name) => {
  if (!names[name]) throw new Error(`page/index.html names ${name}, which the build did not make`);
  return `/assets/${names[name]}`;
});
writeFileSync(join(out, 'index.html'), html);
const listed = Object.values(names).filter((name) => extname(name) !== '.map');
process.stderr.write(`page built: dist/page/index.html, ${listed.join(', ')}\n`);
