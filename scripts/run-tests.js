#!/usr/bin/env node
// Runs the uvu suites under TypeScript and ends with the closing line CI reads:
// `N passed, N failed, N skipped`, after naming every skipped suite, every
// failed hook and every `.only` (which fails the run: it turns tests off).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [dir = 'test', pattern = '.*\\.test\\.ts$'] = process.argv.slice(2);
// The services the suites start say where they run here, not in the runtime dir of the one who runs the tests.
const runtimeDir = mkdtempSync(join(tmpdir(), 'passthru-test-run-'));
// Plain text for the counts below, asked with NO_COLOR alone (and uvu's --no-color, without which uvu sets
// FORCE_COLOR): Node 22 warns on every child's stderr when FORCE_COLOR is set beside NO_COLOR or
// NODE_DISABLE_COLORS, and the CLI tests read that stderr.
const { FORCE_COLOR, NODE_DISABLE_COLORS, ...inherited } = process.env;
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './scripts/test-hooks/register.js',
    'node_modules/uvu/bin.js',
    '--no-color',
    dir,
    pattern,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...inherited, NO_COLOR: '1', PASSTHRU_RUNTIME_DIR: runtimeDir },
  },
);
let output = '';
child.stdout.on('data', (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code, signal) => {
  rmSync(runtimeDir, { recursive: true, force: true });
  const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1] ?? 0);
  const lines = (prefix) => output.split('\n').filter((line) => line.startsWith(prefix));
  const total = count('Total');
  const passed = count('Passed');
  // Tests uvu skipped (`.skip`, or the rest of a suite with `.only`), and whole suites a file did not run.
  const skippedTests = count('Skipped');
  const skippedSuites = lines('skipped suite:');
  const hookFailures = lines('hook failed:');
  const onlys = lines('.only used:');
  const notRun = total - passed - skippedTests;
  const failed = Math.max(notRun, hookFailures.length, code === 0 ? 0 : 1);
  for (const line of [...skippedSuites, ...hookFailures.map((l) => l.split(': Error')[0]), ...onlys]) {
    console.log(line);
  }
  if (onlys.length > 0) console.log(`a .only is left in the suites: remove it, it keeps other tests from running`);
  if (signal) console.log(`the test process was killed by ${signal}`);
  const skipped = skippedTests + skippedSuites.length;
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && onlys.length === 0 && total > 0 ? 0 : 1);
});
