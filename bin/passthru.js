#!/usr/bin/env node
// Runs the compiled service: `npm ci` (through prepare) and `npm run build` compile it from TypeScript.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/services/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('passthru: not built yet: run "npm ci" or "npm run build" in the project first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
