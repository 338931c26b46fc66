import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SETTINGS } from '../../services/settings/config.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
];
const read = (page: string) => readFileSync(join(root, page), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

const anchors = (page: string) => new Set([...read(page).matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchorOf(m[1]!)));

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js)$/.test(entry.name) ? [path] : [];
  });
}

/** Every variable the code reads: the settings, and each `process.env.PASSTHRU_*` of the programs and the suite. */
function variablesRead(): Set<string> {
  const read = new Set<string>(Object.values(SETTINGS).map((s) => s.env));
  for (const file of ['services', 'bin', 'scripts', 'test', 'bench'].flatMap(sourceFiles)) {
    for (const m of readFileSync(join(root, file), 'utf8').matchAll(/process\.env(?:\.|\[['"])(PASSTHRU_\w+)/g)) {
      read.add(m[1]!);
    }
  }
  return read;
}

/** The variables the configuration page's tables name in their first column. */
function variablesDocumented(): Set<string> {
  const rows = read('docs/configuration.md').match(/^\|[^|\n]*PASSTHRU_[^|\n]*\|/gm) ?? [];
  return new Set(rows.flatMap((row) => [...row.matchAll(/PASSTHRU_\w+/g)].map((m) => m[0])));
}

const test = suite('the documentation');

test('given the README and docs/, when every relative link is followed, then its page and heading exist', () => {
  const broken: string[] = [];
  for (const page of pages) {
    for (const [, target] of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path === '' ? page : relative(root, resolve(dirname(join(root, page)), path));
      let ok: boolean;
      try {
        ok = anchor === undefined || !file.endsWith('.md') || anchors(file).has(anchor);
        read(file);
      } catch {
        ok = false;
      }
      if (!ok) broken.push(`${page}: ${target}`);
    }
  }
  assert.equal(broken, []);
});

test('given docs/, when the README is read, then it links every page of it', () => {
  const readme = read('README.md');
  assert.equal(
    pages.filter((page) => page !== 'README.md' && !readme.includes(`](${page})`)),
    [],
  );
});

test('given the code, when its PASSTHRU_ variables are listed, then the configuration tables name exactly them', () => {
  const readVars = variablesRead();
  const documented = variablesDocumented();
  assert.equal([...readVars].filter((v) => !documented.has(v)).sort(), [], 'read but not documented');
  assert.equal([...documented].filter((v) => !readVars.has(v)).sort(), [], 'documented but not read');
});

test('given the docs, then none runs the CLI with npx, which rebuilds the project in npm’s cache or asks the registry', () => {
  assert.equal(
    pages.filter((page) => /^(?!.*(would|Not `npx)).*npx passthru/m.test(read(page))),
    [],
  );
});

test('given the README, when counted, then a newcomer reads it in five minutes: under 250 lines', () => {
  assert.ok(read('README.md').split('\n').length < 250);
});

test.run();
