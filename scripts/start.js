#!/usr/bin/env node
// `npm start`: serve at once when dist/ is a build of the sources as they are,
// after a build when it is not; one process either way, so a start costs no
// more than npm itself and a digest of the sources.
import { spawnSync } from 'node:child_process';
import { builtFromSources } from './build-stamp.js';

if (!builtFromSources()) {
  process.stderr.write('passthru: the sources changed since the last build: building first\n');
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const { main } = await import('../dist/services/cli/main.js');
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
