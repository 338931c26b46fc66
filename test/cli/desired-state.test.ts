import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { BOOT_NVME, desiredHost, NIC, SLOT } from '../support/desired-host.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { BIN, startService, stopService, type ServiceProcess } from '../support/service-process.ts';

/** Runs a command on a pseudo-terminal, answering its prompt as a person would. */
const ON_TERMINAL = join(import.meta.dirname, '..', 'support', 'on_terminal.py');
const GPU = `${SLOT}.0`;
const AUDIO = `${SLOT}.1`;

const test = suite<{
  sys: KernelSysfs;
  service: ServiceProcess;
  env: NodeJS.ProcessEnv;
  passthru: (...args: string[]) => Promise<CliRun>;
  file: (name: string, text: string) => string;
}>('passthru plan, apply and export-desired');

test.before.each(async (context) => {
  context.sys = desiredHost();
  const env = {
    ...context.sys.env,
    PASSTHRU_DATA_DIR: join(context.sys.root, 'var'),
    PASSTHRU_TOKEN: 'cli-desired-token',
    PASSTHRU_HOST_ID: 'cli-desired-host',
  };
  context.service = await startService(env);
  context.env = {
    ...process.env,
    ...env,
    PASSTHRU_PORT: new URL(context.service.url).port,
    PASSTHRU_HOST_MODE: 'simulated',
  };
  context.passthru = (...args) => runCli(args, { env: context.env });
  context.file = (name, text) => {
    const path = join(context.sys.root, name);
    writeFileSync(path, text);
    return path;
  };
});

test.after.each(async ({ service, sys }) => {
  await stopService(service);
  rmSync(sys.root, { recursive: true, force: true });
});

const CARD_YAML = `hidden:
  - match: { vendor: "10de", device: "1db4" }
    functions: all
    reason: CAD guests
`;

const pending = async (passthru: (...args: string[]) => Promise<CliRun>) => (await passthru('status', '--json')).stdout;
const planIdOf = (run: CliRun) => /^plan ([0-9a-f-]{36}):/.exec(run.stdout)?.[1];

test('given a YAML document, when planned, then the CLI prints the plan as a table, exits 2 and changes nothing', async ({
  passthru,
  file,
}) => {
  const before = await pending(passthru);
  const run = await passthru('plan', '-f', file('card.yaml', CARD_YAML));
  assert.is(run.code, 2, run.stderr);
  assert.is(
    run.stdout.replace(planIdOf(run)!, 'ID'),
    [
      'plan ID: 2 devices to change, a reboot completes it',
      'ID            FROM     TO                  ENTRY      REASON',
      `${GPU}  enabled  disabled_on_reboot  /hidden/0  CAD guests`,
      `${AUDIO}  enabled  disabled_on_reboot  /hidden/0  CAD guests`,
      '',
    ].join('\n'),
  );
  assert.is(await pending(passthru), before);
});

test('given a JSON document, when applied with --yes, then the plan is shown and applied, and a second plan exits 0 with nothing to change', async ({
  passthru,
  file,
}) => {
  const path = file(
    'card.json',
    JSON.stringify({ hidden: [{ match: { vendor: '10de', device: '1db4' }, functions: 'all' }] }),
  );
  const applied = await passthru('apply', '-f', path, '--yes');
  assert.is(applied.code, 0, applied.stderr);
  const id = planIdOf(applied)!;
  assert.match(applied.stdout, `${GPU}: disabled_on_reboot\n${AUDIO}: disabled_on_reboot\napplied plan ${id}\n`);
  const again = await passthru('plan', '-f', path);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /^plan [0-9a-f-]{36}: nothing to change\n$/);
  const twice = await passthru('apply', '-f', path, '--yes');
  assert.is(twice.code, 0);
  assert.match(twice.stdout, /^plan [0-9a-f-]{36}: nothing to change\n$/);
});

test('given a NIC hidden and an exact JSON document naming only the GPU, then the plan gives the NIC back, and at_least leaves it', async ({
  passthru,
  file,
}) => {
  assert.is((await passthru('hide', NIC)).code, 0);
  const exact = await passthru(
    'plan',
    '-f',
    file('exact.json', JSON.stringify({ mode: 'exact', hidden: [{ id: GPU }] })),
  );
  assert.is(exact.code, 2, exact.stderr);
  assert.match(exact.stdout, `${GPU}  enabled             disabled_on_reboot  /hidden/0\n`);
  assert.match(exact.stdout, `${NIC}  disabled_on_reboot  enabled             (exact: not named)\n`);
  const atLeast = await passthru('plan', '-f', file('at-least.json', JSON.stringify({ hidden: [{ id: GPU }] })));
  assert.is(atLeast.code, 2);
  assert.not.match(atLeast.stdout, NIC);
});

test('given standard input is not a terminal, when applied without --yes, then nothing is asked, nothing changes, and it exits 1', async ({
  passthru,
  file,
}) => {
  const run = await passthru('apply', '-f', file('card.yaml', CARD_YAML));
  assert.is(run.code, 1);
  assert.match(run.stdout, '2 devices to change');
  assert.is(
    run.stderr,
    'passthru apply: standard input is not a terminal, so nothing was asked and nothing changed: add --yes to apply\n',
  );
  assert.is((await passthru('plan', '-f', file('card.yaml', CARD_YAML))).code, 2, 'still to change');
});

test('given a terminal, when apply asks and the operator answers y, then the plan is applied', async ({
  env,
  file,
  passthru,
}) => {
  const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
    const args = [
      ON_TERMINAL,
      '--answer',
      '[y/N]',
      'y',
      process.execPath,
      BIN,
      'apply',
      '-f',
      file('card.yaml', CARD_YAML),
    ];
    execFile('python3', args, { env }, (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
  });
  assert.is(run.code, 0, run.stdout);
  // readline redraws the line as a terminal's (escapes before the prompt and the echoed answer).
  assert.match(run.stdout, /Apply plan [0-9a-f-]{36}\? \[y\/N\] (\x1b\[\d+G)?y\r/);
  assert.match(run.stdout, /applied plan [0-9a-f-]{36}/);
  assert.is((await passthru('plan', '-f', file('card.yaml', CARD_YAML))).code, 0);
});

test('given a terminal, when a device changes while apply asks and the operator then answers y, then the apply is refused as stale, exits 1, and nothing of the plan is written', async ({
  env,
  file,
  passthru,
  sys,
}) => {
  const gate = join(sys.root, 'answer-now');
  const args = [
    ON_TERMINAL,
    '--answer-once',
    gate,
    '[y/N]',
    'y',
    process.execPath,
    BIN,
    'apply',
    '-f',
    file('card.yaml', CARD_YAML),
  ];
  const child = spawn('python3', args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const asked = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('[y/N]')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await asked;
  assert.is((await passthru('hide', NIC)).code, 0, 'another operator hides the NIC meanwhile');
  writeFileSync(gate, '');
  assert.is(await exited, 1, stdout);
  const plan = /Apply plan ([0-9a-f-]{36})\?/.exec(stdout)?.[1];
  assert.match(
    stdout,
    `passthru apply: plan ${plan} is stale, nothing changed: the next boot's hide list changed since it was made; plan again`,
  );
  assert.is((await passthru('plan', '-f', file('card.yaml', CARD_YAML))).code, 2, 'the card is still to change');
});

test('given a bad document or a protected device, then plan and apply exit 1 and say why', async ({
  passthru,
  file,
}) => {
  const bad = await passthru('plan', '-f', file('bad.yaml', 'hidden:\n  - match: { vendor: "10de" }\n'));
  assert.is(bad.code, 1);
  assert.is(bad.stderr, 'passthru plan: the desired-state document is not valid: /hidden/0/match/device is missing\n');
  const broken = await passthru('plan', '-f', file('broken.yaml', 'hidden: [\n'));
  assert.is(broken.code, 1);
  assert.match(broken.stderr, /^passthru plan: the desired-state document is not valid: \/ is not YAML or JSON: /);
  const missing = await passthru('plan');
  assert.is(missing.code, 1);
  const nvme = await passthru('apply', '-f', file('nvme.yaml', `hidden:\n  - id: "${BOOT_NVME}"\n`), '--yes');
  assert.is(nvme.code, 1);
  assert.match(nvme.stdout, `refused: ${BOOT_NVME} (boot_device): ${BOOT_NVME} is protected`);
  assert.is(nvme.stderr, 'passthru apply: the plan has refusals, nothing changed: change the document\n');
});

test('given devices hidden, when exported, then the document names them by identity and plans to nothing', async ({
  passthru,
  file,
}) => {
  assert.is((await passthru('hide', GPU, AUDIO, NIC)).code, 0);
  const exported = await passthru('export-desired');
  assert.is(exported.code, 0, exported.stderr);
  assert.is(
    exported.stdout,
    [
      '# the devices the next boot hides, exported by passthru export-desired',
      'mode: exact',
      'apply: next-boot',
      'hidden:',
      '  - match:',
      '      vendor: 10de',
      '      device: 1db4',
      '      subsystem_vendor: 10de',
      '      subsystem_device: "1212"',
      `    reason: NVIDIA Corporation 1db4, at ${GPU} when exported`,
      '  - match:',
      '      vendor: 10de',
      '      device: 10f2',
      '      subsystem_vendor: 10de',
      '      subsystem_device: "1212"',
      `    reason: NVIDIA Corporation 10f2, at ${AUDIO} when exported`,
      '  - match:',
      '      vendor: "8086"',
      '      device: "1521"',
      `    reason: Intel Corporation 1521, at ${NIC} when exported`,
      '',
    ].join('\n'),
  );
  const replanned = await passthru('plan', '-f', file('exported.yaml', exported.stdout));
  assert.is(replanned.code, 0, replanned.stdout);
});

test.run();
