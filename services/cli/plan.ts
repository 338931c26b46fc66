import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { text } from 'node:stream/consumers';
import { readDocumentText } from '../../domain/desired-state/document-text.ts';
import type { MadePlan } from '../../domain/desired-state/made-plan.ts';
import { invalidInput, PassthruError } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';
import { table } from './table.ts';

/** `passthru plan` exits as `terraform plan -detailed-exitcode`: 0 nothing would change, 2 something would, 1 an error. */
const NO_CHANGE = 0;
const FAILED = 1;
const CHANGES = 2;

interface Applied {
  readonly results: readonly { readonly record: { readonly id: string; readonly dom0_access: string } }[];
  readonly warnings: readonly string[];
}

/** The plan of a document: what would change, printed; nothing is changed. */
export function planCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  return failingWith1('plan', async () => {
    const plan = await makePlan(config, flags);
    if (flags.json) out(JSON.stringify(plan, null, 2));
    else printPlan(plan, out);
    return plan.changes.length === 0 ? NO_CHANGE : CHANGES;
  });
}

/**
 * The plan of a document, then, once confirmed (asked on a terminal, `--yes`
 * for scripts), its apply: one batch, refused by the service if anything moved since the plan.
 */
export function applyCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  return failingWith1('apply', async () => {
    const plan = await makePlan(config, flags);
    printPlan(plan, out);
    if (plan.changes.length === 0) return NO_CHANGE;
    if (plan.refusals.length > 0) throw conflictOf('the plan has refusals, nothing changed: change the document');
    if (!flags.yes && !(await confirmed(plan))) {
      out('nothing changed');
      return FAILED;
    }
    const applied = (await callService(config, 'POST', `/v1/plans/${plan.id}/apply`)) as Applied;
    for (const { record } of applied.results) out(`${record.id}: ${record.dom0_access}`);
    for (const warning of applied.warnings) out(`warning: ${warning}`);
    out(`applied plan ${plan.id}`);
    return NO_CHANGE;
  });
}

async function makePlan(config: Config, flags: Flags): Promise<MadePlan> {
  const file = typeof flags.file === 'string' ? flags.file : undefined;
  if (!file) throw invalidInput('no document: give -f FILE (YAML or JSON; - for standard input)');
  const source = file === '-' ? await text(process.stdin) : await readDocument(file);
  return (await callService(config, 'POST', '/v1/plans', readDocumentText(source))) as MadePlan;
}

async function readDocument(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw invalidInput(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function printPlan(plan: MadePlan, out: Output): void {
  if (plan.changes.length === 0) out(`plan ${plan.id}: nothing to change`);
  else {
    const reboot = plan.reboot_needed ? ', a reboot completes it' : '';
    out(`plan ${plan.id}: ${plan.changes.length} device${plan.changes.length === 1 ? '' : 's'} to change${reboot}`);
    const rows = plan.changes.map((c) => [
      c.id,
      c.from,
      c.to,
      c.entry?.pointer ?? '(exact: not named)',
      c.entry?.reason ?? '',
    ]);
    for (const line of table(['ID', 'FROM', 'TO', 'ENTRY', 'REASON'], rows)) out(line);
  }
  for (const refusal of plan.refusals) out(`refused: ${refusal.id} (${refusal.reason}): ${refusal.detail}`);
  for (const warning of plan.warnings) out(`warning: ${warning}`);
  for (const problem of plan.next_boot.problems) out(`next boot: ${problem.code}: ${problem.detail}`);
}

/** Asks on a terminal; anywhere else only `--yes` applies, so a script never applies by accident. */
async function confirmed(plan: MadePlan): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw invalidInput(
      'standard input is not a terminal, so nothing was asked and nothing changed: add --yes to apply',
    );
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`Apply plan ${plan.id}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

const conflictOf = (message: string) => new PassthruError('conflict', message);

/** Every error of these commands exits 1: 2 says "changes" to a script. */
async function failingWith1(command: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof PassthruError)) throw error;
    process.stderr.write(`passthru ${command}: ${error.message}\n`);
    return FAILED;
  }
}
