import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { BIN, startService, stopService, type ServiceProcess } from '../support/service-process.ts';

const NIC = '0000:04:00.0';
/** Enough devices that `status` writes more than a pipe holds (64 KiB): a reader that stops early cuts it short. */
const MANY = 1200;

const test = suite<{
  dir: string;
  host: Record<string, string>;
  service: ServiceProcess | null;
  passthru: (env: Record<string, string>, ...args: string[]) => Promise<CliRun>;
}>('the CLI’s manners: help, typos, pipes, Ctrl-C, and which host status reads');

function plug(sysfs: string, id: string, cls = '0x020000'): void {
  mkdirSync(join(sysfs, id), { recursive: true });
  writeFileSync(join(sysfs, id, 'class'), `${cls}\n`);
  writeFileSync(join(sysfs, id, 'vendor'), '0x8086\n');
  writeFileSync(join(sysfs, id, 'device'), '0x1521\n');
}

const inherited = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PASSTHRU_')));

test.before.each((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-manners-'));
  plug(join(context.dir, 'sysfs'), NIC);
  context.host = {
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_SYSFS_PCI: join(context.dir, 'sysfs'),
    PASSTHRU_RUNTIME_DIR: join(context.dir, 'run'),
    PASSTHRU_DATA_DIR: join(context.dir, 'var'),
  };
  context.service = null;
  context.passthru = (env, ...args) => runCli(args, { cwd: context.dir, env: { ...inherited(), ...env } });
});

test.after.each(async ({ dir, service }) => {
  if (service) await stopService(service);
  rmSync(dir, { recursive: true, force: true });
});

test('given a command and --help, then it prints that command’s usage; help and help COMMAND work too', async ({
  passthru,
}) => {
  const own = await passthru({}, 'hide', '--help');
  assert.is(own.code, 0);
  assert.match(own.stdout, /^Usage: passthru hide ID\.\.\. \[--reason TEXT\] \[--force\] \[--now\]\n/);
  assert.not.match(own.stdout, 'Commands:');
  assert.equal(await passthru({}, 'help', 'hide'), own);
  const general = await passthru({}, 'help');
  assert.is(general.code, 0);
  assert.match(general.stdout, /^passthru: dom0 access/);
  assert.match(general.stdout, '\n  help [COMMAND] ');
  const unknown = await passthru({}, 'help', 'hyde');
  assert.is(unknown.code, 2);
  assert.is(
    unknown.stderr,
    'passthru: unknown command "hyde"; did you mean hide? (passthru help lists every command)\n',
  );
});

test('given a typo of a command, then it says which command was meant, and no page of usage', async ({ passthru }) => {
  assert.equal(await passthru({}, 'stauts'), {
    code: 2,
    stdout: '',
    stderr: 'passthru: unknown command "stauts"; did you mean status? (passthru help lists every command)\n',
  });
  assert.equal(await passthru({}, 'frobnicate'), {
    code: 2,
    stdout: '',
    stderr: 'passthru: unknown command "frobnicate" (passthru help lists every command)\n',
  });
});

test('given a running service, when status runs with other host settings, then it answers what the service reads', async (context) => {
  const { dir, host, passthru } = context;
  context.service = await startService(host);
  // This CLI is told of another sysfs (an empty one): reading the host itself, it would list no device.
  mkdirSync(join(dir, 'other-sysfs'));
  const run = await passthru({ ...host, PASSTHRU_SYSFS_PCI: join(dir, 'other-sysfs') }, 'status', '--json');
  assert.is(run.stderr, '');
  assert.equal(
    (JSON.parse(run.stdout) as { id: string; dom0_access: string }[]).map((r) => [r.id, r.dom0_access]),
    [[NIC, 'enabled']],
  );
});

test('given no running service, when status reads the host itself, then it says so', async (context) => {
  const { host, passthru } = context;
  // A service ran once with this data dir (its simulated host is there), then stopped.
  await stopService(await startService(host));
  const run = await passthru(host, 'status');
  assert.is(run.code, 0);
  assert.match(run.stdout, new RegExp(`^${NIC}\\s+enabled`, 'm'));
  assert.is(
    run.stderr,
    "passthru status: no passthru service is running: read from the host directly, with this CLI's settings\n",
  );
});

test('given a reader that stops early (status | head -3), then status ends quietly', async (context) => {
  const { dir, host } = context;
  for (let i = 0; i < MANY; i++)
    plug(
      host.PASSTHRU_SYSFS_PCI!,
      `0000:${(0x10 + (i >> 5)).toString(16)}:${(i & 31).toString(16).padStart(2, '0')}.0`,
    );
  context.service = await startService(host);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'bash',
      ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" status | head -3`],
      { cwd: dir, env: { ...inherited(), ...host } },
      (error, out, err) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout: out, stderr: err }),
    );
  });
  assert.is(stderr, '');
  assert.is(stdout.split('\n').length, 4);
  assert.is(code, 0);
});

test('given a command waiting on the service, when Ctrl-C stops it, then it says it was interrupted and exits 130', async ({
  dir,
  passthru,
}) => {
  // A "service" that takes the request and never answers.
  let connected!: () => void;
  const reached = new Promise<void>((resolve) => (connected = resolve));
  const silent = createServer(() => connected());
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = String((silent.address() as { port: number }).port);
  try {
    const cli = spawn(process.execPath, [BIN, 'hide', NIC], {
      cwd: dir,
      env: {
        ...inherited(),
        PASSTHRU_DATA_DIR: join(dir, 'var'),
        PASSTHRU_PORT: port,
        PASSTHRU_TOKEN: 'any',
        PASSTHRU_RUNTIME_DIR: join(dir, 'run'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    await reached;
    cli.kill('SIGINT');
    const code = await new Promise((resolve) => cli.on('exit', (exit, signal) => resolve(exit ?? signal)));
    assert.is(code, 130);
    assert.is(
      stderr,
      '\npassthru hide: interrupted: a change the service had already received is still made (passthru history ID shows it)\n',
    );
  } finally {
    silent.close();
  }
});

test('given a simulated host without xl, when hide --now is refused, then the refusal says which setting gives one', async (context) => {
  const { host, passthru } = context;
  context.service = await startService(host);
  const run = await passthru(host, 'hide', NIC, '--now');
  assert.is(run.code, 1);
  assert.match(
    run.stderr,
    'PASSTHRU_XL (--xl) names one; a simulated host has the twin’s unless PASSTHRU_SYSFS_PCI names its devices or PASSTHRU_XL is none',
  );
});

test.run();
