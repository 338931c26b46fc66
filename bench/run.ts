import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchHides } from './batch-hides.ts';
import { bigStore } from './big-store.ts';
import { commands } from './commands.ts';
import { groupCommit } from './group-commit.ts';
import { handOver } from './hand-over.ts';
import { page } from './page.ts';
import { planApply } from './plan-apply.ts';
import { markdownTable, met, type Result } from './result.ts';
import { npmStart } from './npm-start.ts';
import { statusReads } from './status-reads.ts';
import { watchers } from './watchers.ts';

// One run builds its own data, measures every figure against a baseline taken
// in the same run, and prints one table; bench/results.md keeps the last one.
const root = mkdtempSync(join(tmpdir(), 'passthru-bench-'));
const log = (line: string) => process.stderr.write(`${line}\n`);
const results: Result[] = [];
// `npm run bench -- commands group-commit` runs only those steps.
const only = process.argv.slice(2);
const step = async (name: string, run: (dir: string) => Promise<Result | Result[]>) => {
  if (only.length > 0 && !only.includes(name)) return;
  log(`running ${name}...`);
  const dir = join(root, name);
  mkdirSync(dir);
  const started = performance.now();
  results.push(...[await run(dir)].flat());
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
};

try {
  await step('status-reads', statusReads);
  await step('commands', commands);
  await step('big-store', (dir) => bigStore(dir, log));
  await step('group-commit', groupCommit);
  await step('batch-hides', batchHides);
  await step('watchers', watchers);
  await step('page', page);
  await step('npm-start', npmStart);
  await step('hand-over', handOver);
  await step('plan-apply', planApply);
} finally {
  rmSync(root, { recursive: true, force: true });
}

const notes = results.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
const report = [
  `# passthru benchmark`,
  '',
  `${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`,
  '',
  markdownTable(results),
  '',
  ...notes,
  '',
  `${results.filter(met).length} of ${results.length} goals met.`,
  '',
].join('\n');
// bench/results.md keeps full runs only, so it never shows part of the table as the whole.
if (only.length === 0) writeFileSync(join(import.meta.dirname, 'results.md'), report);
process.stdout.write(report);
process.exitCode = results.every(met) ? 0 : 1;
