import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { BIN } from '../support/service-process.ts';

const test = suite<{
  dir: string;
  env: NodeJS.ProcessEnv;
  service: ChildProcess;
  passthru: (...args: string[]) => Promise<CliRun>;
}>('passthru CLI against a running service on a real port');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test.before(async (context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-cli-'));
  for (const [id, cls] of [
    ['0000:03:00.0', '0x030000'],
    ['0000:04:00.0', '0x020000'],
  ] as const) {
    mkdirSync(join(context.dir, 'sysfs', id), { recursive: true });
    writeFileSync(join(context.dir, 'sysfs', id, 'class'), `${cls}\n`);
    writeFileSync(join(context.dir, 'sysfs', id, 'vendor'), '0x10de\n');
    writeFileSync(join(context.dir, 'sysfs', id, 'device'), '0x1db4\n');
  }
  context.env = {
    ...process.env,
    PASSTHRU_PORT: String(await freePort()),
    PASSTHRU_DATA_DIR: join(context.dir, 'var'),
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_SYSFS_PCI: join(context.dir, 'sysfs'),
    PASSTHRU_HOST_ID: 'cli-host',
  };
  context.passthru = (...args) => runCli(args, { env: context.env });
  context.service = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...context.env, PASSTHRU_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${context.env.PASSTHRU_PORT}/healthz`;
  for (let i = 0; i < 200; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the service did not become healthy');
});

test.after(async ({ dir, service }) => {
  if (service.exitCode === null) service.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('status lists every device with its live dom0 access', async ({ passthru }) => {
  const run = await passthru('status');
  assert.is(run.code, 0);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0]!, /^ID\s+DOM0 ACCESS\s+HOLDER\s+CLASS\s+DEVICE$/);
  assert.match(lines[1]!, /^0000:03:00\.0\s+enabled\s+/);
  assert.match(lines[2]!, /^0000:04:00\.0\s+enabled\s+/);
});

test('hide goes through the service; a second hide says nothing changed', async ({ passthru }) => {
  assert.equal(await passthru('hide', '04:00.0', '--reason', 'for vm-3'), {
    code: 0,
    stdout: '0000:04:00.0: disabled_on_reboot\n',
    stderr: '',
  });
  assert.equal(await passthru('hide', '04:00.0'), {
    code: 0,
    stdout: '0000:04:00.0: already disabled_on_reboot, nothing changed\n',
    stderr: '',
  });
  const status = JSON.parse((await passthru('status', '0000:04:00.0', '--json')).stdout);
  assert.is(status.dom0_access, 'disabled_on_reboot');
});

test('reboot reboots the simulated host and the service reconciles', async ({ passthru }) => {
  const run = await passthru('reboot');
  assert.is(run.code, 0);
  assert.match(
    run.stdout,
    /simulated host rebooted, boot id [0-9a-f-]{36}\nthe running service has reconciled with the new boot\n/,
  );
  assert.is(JSON.parse((await passthru('status', '04:00.0', '--json')).stdout).dom0_access, 'disabled');
});

test('history shows the device’s events with their causes and actors', async ({ passthru }) => {
  const run = await passthru('history', '04:00.0');
  assert.is(run.code, 0);
  const rows = run.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s{2,}/));
  assert.equal(
    rows.map((r) => [r[0], r[3], r[4], r[5]]),
    [
      ['0', 'DeviceDiscovered', 'enabled', 'discovery'],
      ['1', 'Dom0AccessDisabled', 'disabled_on_reboot', 'command'],
      ['2', 'Dom0AccessReconciled', 'disabled', 'reboot'],
      // No driver is bound in this fake sysfs: the boot's hide did not take effect, and says so.
      ['3', 'HideNotClaimed', 'disabled', 'reboot'],
    ],
  );
  assert.is(rows[1]![6], 'admin (claims cli:root)', 'the token the CLI sent is the actor, the user it names a claim');
});

test('replay prints each event with the view it produces, up to a position', async ({ passthru }) => {
  const all = (await passthru('replay', '--pci', '04:00.0', '--json')).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(
    all.map((l) => [l.event.type, l.view.status, l.view.revision]),
    [
      ['DeviceDiscovered', 'enabled', 0],
      ['Dom0AccessDisabled', 'disabled_on_reboot', 1],
      ['Dom0AccessReconciled', 'disabled', 2],
      ['HideNotClaimed', 'disabled', 3],
    ],
  );
  const until = (await passthru('replay', '--pci', '04:00.0', '--until', String(all[1].event.position), '--json'))
    .stdout;
  assert.is(until.trim().split('\n').length, 2);
});

test('rebuild folds every event again', async ({ passthru }) => {
  const run = await passthru('rebuild', '--json');
  assert.is(run.code, 0);
  assert.is(JSON.parse(run.stdout).devices, 2);
});

test('bad input exits 2 with a clear message and no stack', async ({ passthru }) => {
  const bad = await passthru('hide', '04:00.0;reboot');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F/);
  assert.not.match(bad.stderr, /at .*\.ts:\d+/);
  assert.is((await passthru('frobnicate')).code, 2);
  assert.is((await passthru('hide')).code, 2);
  assert.is((await passthru('status', '--no-such-flag')).code, 2);
});

test('an unknown device through the service exits 1 with its detail', async ({ passthru }) => {
  const run = await passthru('unhide', '0000:0f:00.0');
  assert.is(run.code, 1);
  assert.is(run.stderr, 'passthru unhide: no PCI device 0000:0f:00.0 on this host\n');
});

test('SIGTERM shuts the service down gracefully and leaves a checkpoint', async ({ service, env }) => {
  const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
  service.kill('SIGTERM');
  assert.is(await exited, 0);
  assert.ok(existsSync(join(env.PASSTHRU_DATA_DIR!, 'projections.checkpoint.json')));
});

test.run();
