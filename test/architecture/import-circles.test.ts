import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importCircles, importGraph } from '../support/import-circles.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['domain', 'projections', 'services', 'page/src', 'bin', 'scripts', 'bench', 'test'];

/** domain/, projections/, and each folder of services/ (a loose file of services/ counts as its own). */
const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts[0] === 'services' ? parts.slice(0, 2).join('/') : parts[0]!;
};

function folderGraph(files: Map<string, string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = folders.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    folders.set(from, edges);
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges]]));
}

const test = suite('import circles');

test('given the source tree, when its imports are followed, then no file comes back to itself', () => {
  assert.equal(importCircles(importGraph(root, SOURCES)), []);
});

test('given the folders of the service, when their imports are followed, then no folder comes back to itself', () => {
  assert.equal(importCircles(folderGraph(importGraph(root, ['domain', 'projections', 'services']))), []);
});

test('given two files that import each other through a third, when checked, then the circle is named once', () => {
  const tree = mkdtempSync(join(tmpdir(), 'passthru-circles-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  };
  try {
    write('src/a.ts', "import type { B } from './b.ts';\nexport type A = B;\n");
    write('src/b.ts', "import {\n  c,\n} from './nested/c.ts';\nexport type B = string;\nexport const b = c;\n");
    write('src/nested/c.ts', "export * from '../a.ts';\nexport const c = 1;\n");
    write('src/d.ts', "import { b } from './b.ts';\nimport fs from 'node:fs';\nexport const d = [b, fs];\n");
    assert.equal(importCircles(importGraph(tree, ['src'])), [['src/a.ts', 'src/b.ts', 'src/nested/c.ts', 'src/a.ts']]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test.run();
