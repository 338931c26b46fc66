import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { startService, stopService, type ServiceProcess } from '../support/service-process.ts';

const NIC = '0000:04:00.0';

const test = suite<{
  dir: string;
  /** Where a newcomer runs the CLI: a folder of their own, no project in it. */
  elsewhere: string;
  host: Record<string, string>;
  service: ServiceProcess | null;
  passthru: (env: Record<string, string>, ...args: string[]) => Promise<CliRun>;
}>('the CLI run outside the project folder finds the running service');

test.before.each((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-find-'));
  context.elsewhere = join(context.dir, 'home');
  mkdirSync(context.elsewhere);
  mkdirSync(join(context.dir, 'sysfs', NIC), { recursive: true });
  writeFileSync(join(context.dir, 'sysfs', NIC, 'class'), '0x020000\n');
  writeFileSync(join(context.dir, 'sysfs', NIC, 'vendor'), '0x8086\n');
  writeFileSync(join(context.dir, 'sysfs', NIC, 'device'), '0x1521\n');
  // The host and where services say where they run; nothing about the data dir, port or host id.
  context.host = {
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_SYSFS_PCI: join(context.dir, 'sysfs'),
    PASSTHRU_RUNTIME_DIR: join(context.dir, 'run'),
  };
  context.service = null;
  context.passthru = (env, ...args) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PASSTHRU_')));
    return runCli(args, { cwd: context.elsewhere, env: { ...inherited, ...context.host, ...env } });
  };
});

test.after.each(async ({ dir, service }) => {
  if (service) await stopService(service);
  rmSync(dir, { recursive: true, force: true });
});

test('given a running service, when the CLI runs in another folder, then status and hide use its data dir and host', async (context) => {
  const { dir, elsewhere, host, passthru } = context;
  context.service = await startService({
    ...host,
    PASSTHRU_DATA_DIR: join(dir, 'var'),
    PASSTHRU_HOST_ID: 'found-host',
  });
  const hide = await passthru({}, 'hide', NIC, '--reason', 'for vm-1');
  assert.equal(hide, { code: 0, stdout: `${NIC}: disabled_on_reboot\n`, stderr: '' });
  const status = await passthru({}, 'status', NIC, '--json');
  assert.is(status.code, 0);
  assert.is(JSON.parse(status.stdout).dom0_access, 'disabled_on_reboot');
  const history = await passthru({}, 'history', NIC, '--json');
  assert.equal(
    JSON.parse(history.stdout).map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessDisabled'],
  );
  assert.equal(readdirSync(elsewhere), [], 'nothing is written where the CLI runs');
});

test('given a running service, when the CLI is pointed at another data dir, then it says which it used and which the service uses', async (context) => {
  const { dir, host, passthru } = context;
  context.service = await startService({
    ...host,
    PASSTHRU_DATA_DIR: join(dir, 'var'),
    PASSTHRU_HOST_ID: 'found-host',
  });
  const run = await passthru({ PASSTHRU_DATA_DIR: join(dir, 'other') }, 'status');
  assert.match(
    run.stderr,
    `passthru: using data dir ${join(dir, 'other')} (host found-host); the service running at ${context.service.url} (pid ${context.service.child.pid}) uses data dir ${join(dir, 'var')} (host found-host)\n`,
  );
});

test('given no running service, when status and history run in another folder, then they say so and create no data dir', async ({
  elsewhere,
  passthru,
}) => {
  const status = await passthru({}, 'status');
  assert.is(status.code, 1);
  assert.is(
    status.stderr,
    `passthru status: no simulated host in ${join(elsewhere, 'var')}: no passthru service has run with this data dir; start "passthru serve", or set PASSTHRU_DATA_DIR (--data-dir) to the service’s data dir\n`,
  );
  const history = await passthru({}, 'history', NIC);
  assert.is(history.code, 1);
  assert.match(history.stderr, `passthru history: no event store at ${join(elsewhere, 'var', 'events.db')}`);
  assert.not.ok(existsSync(join(elsewhere, 'var')), 'a read leaves no data dir behind');
});

test('given a stopped service, when reboot runs in another folder, then it reboots no stray host; given its data dir, the next start reads the new boot', async (context) => {
  const { dir, elsewhere, host, passthru } = context;
  const env = { ...host, PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_HOST_ID: 'found-host' };
  const first = await startService(env);
  const hide = await passthru({}, 'hide', NIC);
  assert.is(hide.code, 0, hide.stderr);
  await stopService(first);
  const stray = await passthru({}, 'reboot');
  assert.is(stray.code, 1);
  assert.match(stray.stderr, `passthru reboot: no simulated host in ${join(elsewhere, 'var')}: `);
  assert.equal(readdirSync(elsewhere), []);
  const reboot = await passthru({ PASSTHRU_DATA_DIR: join(dir, 'var') }, 'reboot');
  assert.match(
    reboot.stdout,
    /simulated host rebooted, boot id [0-9a-f-]{36}\nno service is running; it reconciles when it starts\n/,
  );
  context.service = await startService(env);
  const status = await passthru({}, 'status', NIC, '--json');
  assert.is(JSON.parse(status.stdout).dom0_access, 'disabled');
  const history = await passthru({}, 'history', NIC, '--json');
  assert.equal(
    JSON.parse(history.stdout).map((e: { type: string; data: { status: string } }) => [e.type, e.data.status]),
    [
      ['DeviceDiscovered', 'enabled'],
      ['Dom0AccessDisabled', 'disabled_on_reboot'],
      ['Dom0AccessReconciled', 'disabled'],
      ['HideNotClaimed', 'disabled'],
    ],
  );
});

test('given a service stopped cleanly, when it is gone, then its runtime file is gone with it', async (context) => {
  const { dir, host } = context;
  const service = await startService({ ...host, PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_HOST_ID: 'found-host' });
  const said = JSON.parse(readFileSync(join(dir, 'run', 'service.json'), 'utf8'));
  assert.equal(said, {
    data_dir: join(dir, 'var'),
    url: service.url,
    host_id: 'found-host',
    pid: service.child.pid,
    started: Number(readFileSync(`/proc/${service.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]),
    port: Number(new URL(service.url).port),
    bind: '127.0.0.1',
  });
  assert.equal(await stopService(service), { code: 0, signal: null });
  assert.not.ok(existsSync(join(dir, 'run', 'service.json')));
});

test('given a service on a port, when a second one starts on it, then it says the port is in use and touches no store', async (context) => {
  const { dir, host } = context;
  context.service = await startService({
    ...host,
    PASSTHRU_DATA_DIR: join(dir, 'var'),
    PASSTHRU_HOST_ID: 'found-host',
  });
  const port = new URL(context.service.url).port;
  const second = await context.passthru({ PASSTHRU_DATA_DIR: join(dir, 'second'), PASSTHRU_PORT: port }, 'serve');
  assert.is(second.code, 1);
  assert.is(second.stderr, `passthru serve: port ${port} is in use: another passthru? use --port\n`);
  assert.not.ok(existsSync(join(dir, 'second')), 'the second copy opened no store');
});

test('given a start, when it listens, then the log names the operator page’s URL', async (context) => {
  const { dir, host } = context;
  context.service = await startService({
    ...host,
    PASSTHRU_DATA_DIR: join(dir, 'var'),
    PASSTHRU_HOST_ID: 'found-host',
  });
  const deadline = Date.now() + 10_000;
  while (!context.service.stdout().includes('the operator page') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const line = context.service
    .stdout()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((entry) => String(entry.msg).startsWith('the operator page'));
  assert.is(line?.msg, `the operator page: ${context.service.url}/`);
  assert.is(line?.url, `${context.service.url}/`);
});

test.run();
