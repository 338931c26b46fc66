import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareSimulatedHost, simulatedHostFiles } from '../../services/host/simulated-host.ts';
import { SLOW_REQUEST_MS } from '../../services/log/request-log.ts';
import { BIN, freePort, startService, stopService, type ServiceProcess } from '../support/service-process.ts';

const TOKEN = 'log-token';
const NIC = '0000:04:00.0';
// Where a Xen host's boot entries are looked for when PASSTHRU_BOOT_CONFIG is not set (README, Configuration).
const XEN_BOOT_CONFIG = ['/boot/efi/EFI/xenserver/grub.cfg', '/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'];

const test = suite<{ dir: string; env: Record<string, string> }>(
  'the service log, as `npm start` writes it to a pipe or a terminal',
);

test.before.each((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-log-'));
  mkdirSync(join(context.dir, 'sysfs', NIC), { recursive: true });
  writeFileSync(join(context.dir, 'sysfs', NIC, 'class'), '0x020000\n');
  writeFileSync(join(context.dir, 'sysfs', NIC, 'vendor'), '0x8086\n');
  writeFileSync(join(context.dir, 'sysfs', NIC, 'device'), '0x1521\n');
  context.env = {
    PASSTHRU_DATA_DIR: join(context.dir, 'var'),
    PASSTHRU_SYSFS_PCI: join(context.dir, 'sysfs'),
    PASSTHRU_HOST_ID: 'log-host',
    PASSTHRU_TOKEN: TOKEN,
  };
});
test.after.each(({ dir }) => rmSync(dir, { recursive: true, force: true }));

const lines = (service: ServiceProcess) => service.stdout().split('\n').filter(Boolean);
const entries = (service: ServiceProcess) => lines(service).map((line) => JSON.parse(line) as Record<string, any>);
const auth = { authorization: `Bearer ${TOKEN}` };

/** Waits for the log to reach `count` lines that `keep` takes, and answers those: pino writes asynchronously. */
async function logLines(
  service: ServiceProcess,
  count: number,
  keep: (entry: Record<string, any>) => boolean = () => true,
): Promise<Record<string, any>[]> {
  const deadline = Date.now() + 10_000;
  const kept = () => entries(service).filter(keep);
  while (kept().length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return kept();
}

async function within<T>(
  env: Record<string, string>,
  run: (service: ServiceProcess) => Promise<T>,
  args: string[] = [],
) {
  const service = await startService(env, args);
  try {
    return await run(service);
  } finally {
    await stopService(service);
  }
}

test('given the defaults and a pipe, every line is JSON; reads write none, a command and a refusal one each', async ({
  env,
}) => {
  await within(env, async (service) => {
    const atStart = entries(service).length;
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`${service.url}/v1/pcis/${NIC}/dom0-access`, { headers: auth });
      assert.is(response.status, 200);
    }
    const hide = await fetch(`${service.url}/v1/pcis/${NIC}/hide`, { method: 'POST', headers: auth });
    assert.is(hide.status, 200);
    const refused = await fetch(`${service.url}/v1/pcis/${NIC}/unhide`, { method: 'POST' });
    assert.is(refused.status, 401);

    const after = (await logLines(service, atStart + 2)).slice(atStart);
    assert.equal(
      after.map((e) => [e.level, e.msg, e.method, e.url, e.status]),
      [
        [30, 'request completed', 'POST', `/v1/pcis/${NIC}/hide`, 200],
        [40, 'request refused', 'POST', `/v1/pcis/${NIC}/unhide`, 401],
      ],
    );
  });
});

test('given PASSTHRU_LOG_LEVEL=debug, a read gets its line too, and every request line names its request id', async ({
  env,
}) => {
  await within({ ...env, PASSTHRU_LOG_LEVEL: 'debug' }, async (service) => {
    const read = await fetch(`${service.url}/v1/pcis/${NIC}/dom0-access`, {
      headers: { ...auth, 'x-request-id': 'read-1' },
    });
    assert.is(read.status, 200);
    const hide = await fetch(`${service.url}/v1/pcis/${NIC}/hide`, {
      method: 'POST',
      headers: { ...auth, 'x-request-id': 'hide-1' },
    });
    assert.is(hide.status, 200);

    const completed = await logLines(
      service,
      2,
      (e) => e.msg === 'request completed' && e.url.startsWith(`/v1/pcis/${NIC}/`),
    );
    assert.equal(
      completed.map((e) => [e.level, e.reqId, e.method, e.status]),
      [
        [20, 'read-1', 'GET', 200],
        [30, 'hide-1', 'POST', 200],
      ],
    );
  });
});

test('given XAPI calls and watchers, reads and waits write no line; a login, a change and a refusal one each, naming the method', async ({
  env,
}) => {
  await within(env, async (service) => {
    const rpc = async (method: string, params: unknown[]) => {
      const response = await fetch(`${service.url}/jsonrpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }),
      });
      return ((await response.json()) as { result?: any }).result;
    };
    const atStart = entries(service).length;
    const session = await rpc('session.login_with_password', ['root', TOKEN, '2.21', 'log-test']);
    const [pci] = await rpc('PCI.get_all', [session]);
    await rpc('PCI.get_dom0_access_status', [session, pci]);
    const { token } = await rpc('event.from', [session, ['pci'], '', 0]);
    // Both watchers outlast the slow-request threshold: waiting is what they are for.
    const stream = new AbortController();
    const streaming = fetch(`${service.url}/v1/events/stream`, { headers: auth, signal: stream.signal });
    await rpc('event.from', [session, ['pci'], token, (SLOW_REQUEST_MS + 200) / 1000]);
    stream.abort();
    await streaming.then((response) => response.body?.cancel()).catch(() => undefined);
    await rpc('PCI.disable_dom0_access', [session, pci]);
    await rpc('PCI.get_dom0_access_status', [session, 'OpaqueRef:no-such-pci']);

    const after = (await logLines(service, atStart + 3)).slice(atStart);
    assert.equal(
      after.map((e) => [e.level, e.msg, e.url, e.rpc_method, e.xapi_error]),
      [
        [30, 'request completed', '/jsonrpc', 'session.login_with_password', undefined],
        [30, 'request completed', '/jsonrpc', 'PCI.disable_dom0_access', undefined],
        [40, 'request refused', '/jsonrpc', 'PCI.get_dom0_access_status', 'HANDLE_INVALID'],
      ],
    );
  });
});

test('given a terminal as standard output and no setting, the lines are for a person', async ({ env }) => {
  const terminal = join(import.meta.dirname, '..', 'support', 'on_terminal.py');
  // A person's terminal: the test runner's NO_COLOR is not theirs.
  const { NO_COLOR, ...personal } = process.env;
  const child = spawn('python3', [terminal, process.execPath, BIN, 'serve'], {
    env: { ...personal, ...env, PASSTHRU_HOST_MODE: 'simulated', PASSTHRU_PORT: String(await freePort()) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (text += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 60_000;
    while (!/Server listening at/.test(text) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(text, /^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}Server listening at http:\/\/127\.0\.0\.1:\d+\r?$/m);
    // A warning is coloured on a terminal.
    assert.match(text, /\x1b\[33mWARN \x1b\[0m SIMULATED HOST/);
    assert.not.match(text, /^\{"level"/m);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('given --log-format pretty, the lines are for a person even on a pipe', async ({ env }) => {
  await within(
    env,
    async (service) => {
      assert.ok(lines(service).length > 0);
      for (const line of lines(service)) assert.match(line, /^\d{2}:\d{2}:\d{2}\.\d{3} (INFO |WARN |ERROR) \S/);
    },
    ['--log-format', 'pretty'],
  );
});

test('given PASSTHRU_LOG_FORMAT=json, JSON it is', async ({ env }) => {
  await within({ ...env, PASSTHRU_LOG_FORMAT: 'json' }, async (service) => {
    assert.ok(entries(service).every((e) => e.name === 'passthru'));
  });
});

test('given the simulated host, its boot configuration file is watched and start does not warn', async ({ env }) => {
  await within(env, async (service) => {
    const host = (await (await fetch(`${service.url}/v1/host`, { headers: auth })).json()) as { boot_config: string[] };
    assert.equal(host.boot_config, [simulatedHostFiles(env.PASSTHRU_DATA_DIR!).bootConfig]);
    assert.not.ok(entries(service).some((e) => e.setting === 'PASSTHRU_BOOT_CONFIG'));
  });
});

test('given PASSTHRU_BOOT_CONFIG=none, start warns that every read runs xen-cmdline, and boot_config is []', async ({
  env,
}) => {
  await within({ ...env, PASSTHRU_BOOT_CONFIG: 'none' }, async (service) => {
    const host = (await (await fetch(`${service.url}/v1/host`, { headers: auth })).json()) as { boot_config: string[] };
    assert.equal(host.boot_config, []);
    const warning = entries(service).find((e) => e.setting === 'PASSTHRU_BOOT_CONFIG');
    assert.equal([warning?.level, warning?.tried], [40, []]);
    assert.match(warning?.msg, 'PASSTHRU_BOOT_CONFIG=none');
    assert.match(warning?.msg, 'every read runs xen-cmdline');
  });
});

test('given PASSTHRU_PCI_IDS naming a file that is not there, start says names fall back, naming it', async ({
  env,
  dir,
}) => {
  const missing = join(dir, 'no-such-pci.ids');
  await within({ ...env, PASSTHRU_PCI_IDS: missing }, async (service) => {
    const line = entries(service).find((e) => e.setting === 'PASSTHRU_PCI_IDS');
    assert.equal([line?.level, line?.tried], [30, [missing]]);
    assert.match(line?.msg, `no pci.ids database readable at ${missing}`);
  });
});

test('given a Xen host with none of the known boot configuration files, the warning names the paths tried', async ({
  env,
}) => {
  const files = prepareSimulatedHost(env.PASSTHRU_DATA_DIR!);
  const xen = {
    ...env,
    PASSTHRU_HOST_MODE: 'xen',
    PASSTHRU_XEN_CMDLINE: files.xenCmdline,
    PASSTHRU_PROC_CMDLINE: files.procCmdline,
    PASSTHRU_BOOT_ID: files.bootId,
  };
  await within(xen, async (service) => {
    const present = XEN_BOOT_CONFIG.filter((path) => existsSync(path)).slice(0, 1);
    const host = (await (await fetch(`${service.url}/v1/host`, { headers: auth })).json()) as { boot_config: string[] };
    assert.equal(host.boot_config, present);
    const warning = entries(service).find((e) => e.setting === 'PASSTHRU_BOOT_CONFIG');
    if (present.length > 0) assert.is(warning, undefined);
    else {
      assert.equal(warning?.tried, XEN_BOOT_CONFIG);
      for (const path of XEN_BOOT_CONFIG) assert.match(warning?.msg, path);
    }
  });
});

test.run();
