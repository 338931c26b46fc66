import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../services/settings/config.ts';
import { writeRuntimeFile } from '../../services/startup/runtime-file.ts';
import { runCli } from '../support/cli-run.ts';

const ADMIN_SECRET = 'the-operators-admin-token';
const NOBODY = 65534;
const NIC = '0000:04:00.0';

/** Another local user's listener on loopback, keeping every token it is sent. */
interface Thief {
  readonly server: Server;
  readonly port: number;
  readonly tokens: string[];
}

const test = suite<{ dir: string; run: string; data: string; env: NodeJS.ProcessEnv; thief: Thief }>(
  'the runtime file: a planted, swapped or linked one sends no token and overwrites nothing',
);

test.before.each(async (context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-runtime-'));
  context.run = join(context.dir, 'run');
  // The operator's data dir, with the admin token the CLI reads.
  context.data = join(context.dir, 'var');
  mkdirSync(context.data, { mode: 0o700 });
  writeFileSync(join(context.data, 'token'), `${ADMIN_SECRET}\n`, { mode: 0o600 });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PASSTHRU_')));
  context.env = {
    ...inherited,
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_RUNTIME_DIR: context.run,
    PASSTHRU_XEN_CMDLINE_TIMEOUT_MS: '200',
  };
  const tokens: string[] = [];
  const server = createServer((request, response) => {
    tokens.push(request.headers.authorization ?? '');
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  context.thief = { server, port: (server.address() as AddressInfo).port, tokens };
});

test.after.each(async ({ dir, thief }) => {
  await new Promise((resolve) => thief.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A live process's start time as /proc says it: this test's own, so the file names a running process. */
function startedOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** The file another user writes: the operator's data dir (for its token), the thief's port, a live pid. */
function plant(path: string, data: string, port: number, bind = '127.0.0.1', pid = process.pid): void {
  const service = {
    data_dir: data,
    url: `http://${bind}:${port}`,
    host_id: 'h',
    pid,
    started: startedOf(pid),
    port,
    bind,
  };
  writeFileSync(path, JSON.stringify(service), { mode: 0o600 });
}

test('given a runtime dir made by another user, when the operator hides, then the CLI refuses and says how to fix it', async ({
  run,
  data,
  env,
  thief,
}) => {
  mkdirSync(run, { mode: 0o700 });
  plant(join(run, 'service.json'), data, thief.port);
  chownSync(join(run, 'service.json'), NOBODY, NOBODY);
  chownSync(run, NOBODY, NOBODY);
  const hide = await runCli(['hide', NIC], { env });
  assert.is(hide.code, 1);
  assert.is(
    hide.stderr,
    `passthru hide: the runtime ${run} is owned by uid ${NOBODY}, not by you (uid 0), so whoever made it could send the CLI's token elsewhere: check who did, then rm -r ${run}, or set PASSTHRU_RUNTIME_DIR to a directory of your own\n`,
  );
  assert.equal(thief.tokens, [], 'no token sent');
});

test('given a runtime dir of the operator that others may write, when the operator hides, then the CLI refuses', async ({
  run,
  data,
  env,
  thief,
}) => {
  mkdirSync(run);
  chmodSync(run, 0o1777);
  plant(join(run, 'service.json'), data, thief.port);
  const hide = await runCli(['hide', NIC], { env });
  assert.is(hide.code, 1);
  assert.match(hide.stderr, `the runtime ${run} has mode 0777: others may write it`);
  assert.match(hide.stderr, `then chmod 700 ${run}\n`);
  assert.equal(thief.tokens, []);
});

test('given a runtime dir that is not private, when the service starts, then it refuses before opening anything', async ({
  dir,
  run,
  env,
}) => {
  mkdirSync(run, { mode: 0o700 });
  chownSync(run, NOBODY, NOBODY);
  const serve = await runCli(['serve', '--port', '0'], {
    env: { ...env, PASSTHRU_DATA_DIR: join(dir, 'fresh') },
    timeout: 60_000,
  });
  assert.is(serve.code, 1);
  assert.match(serve.stderr, `passthru serve: the runtime ${run} is owned by uid ${NOBODY}, not by you (uid 0)`);
  assert.not.ok(existsSync(join(dir, 'fresh', 'events.db')), 'no store opened');
});

test('given a private runtime dir, when its file is swapped for another user’s, a loose one or a link, then the CLI refuses each', async ({
  dir,
  run,
  data,
  env,
  thief,
}) => {
  mkdirSync(run, { mode: 0o700 });
  const file = join(run, 'service.json');
  plant(file, data, thief.port);
  chownSync(file, NOBODY, NOBODY);
  const owned = await runCli(['hide', NIC], { env });
  assert.is(owned.code, 1);
  assert.match(owned.stderr, `the runtime ${file} is owned by uid ${NOBODY}, not by you (uid 0)`);

  rmSync(file);
  plant(file, data, thief.port);
  chmodSync(file, 0o666);
  const loose = await runCli(['hide', NIC], { env });
  assert.is(loose.code, 1);
  assert.match(loose.stderr, `the runtime ${file} has mode 0666: others may write it`);

  rmSync(file);
  plant(join(dir, 'elsewhere.json'), data, thief.port);
  symlinkSync(join(dir, 'elsewhere.json'), file);
  const linked = await runCli(['hide', NIC], { env });
  assert.is(linked.code, 1);
  assert.match(linked.stderr, `the runtime ${file} is a symbolic link`);
  assert.equal(thief.tokens, [], 'no token sent');
});

test('given a runtime file naming pid 1, when the CLI reads status, then it is stale: the CLI uses its own settings', async ({
  dir,
  run,
  env,
}) => {
  mkdirSync(run, { mode: 0o700 });
  const service = {
    data_dir: join(dir, 'planted'),
    url: 'http://127.0.0.1:1',
    host_id: 'planted-host',
    pid: 1,
    started: startedOf(1) + 1,
    port: 1,
    bind: '127.0.0.1',
  };
  writeFileSync(join(run, 'service.json'), JSON.stringify(service), { mode: 0o600 });
  const status = await runCli(['status'], { env, cwd: dir });
  assert.is(status.code, 1);
  assert.match(status.stderr, `passthru status: no simulated host in ${join(dir, 'var')}: `);
});

test('given a private runtime file naming an address beyond loopback, when the operator hides, then the CLI refuses to send its token there', async ({
  run,
  data,
  env,
}) => {
  mkdirSync(run, { mode: 0o700 });
  // 192.0.2.0/24 is TEST-NET-1: never routed, were it tried.
  plant(join(run, 'service.json'), data, 8443, '192.0.2.7');
  const hide = await runCli(['hide', NIC], { env });
  assert.is(hide.code, 1);
  assert.is(
    hide.stderr,
    `passthru hide: ${join(run, 'service.json')} names the address 192.0.2.7, beyond loopback, and the CLI sends its token there only when asked: set PASSTHRU_BIND=192.0.2.7 (--bind 192.0.2.7) if that is your service\n`,
  );
});

test('given a link at the temporary path to a victim file, when the service writes its runtime file, then the victim is untouched', ({
  dir,
  run,
}) => {
  const victim = join(dir, 'victim-bashrc');
  writeFileSync(victim, 'alias ls="ls --color"\n');
  mkdirSync(run, { mode: 0o700 });
  symlinkSync(victim, join(run, `service.json.${process.pid}.tmp`));
  const config = loadConfig({ PASSTHRU_RUNTIME_DIR: run, PASSTHRU_HOST_MODE: 'simulated' });
  const service = {
    data_dir: dir,
    url: 'http://127.0.0.1:9',
    host_id: 'h',
    pid: process.pid,
    port: 9,
    bind: '127.0.0.1',
  };
  writeRuntimeFile(config, service);
  assert.is(readFileSync(victim, 'utf8'), 'alias ls="ls --color"\n');
  assert.equal(JSON.parse(readFileSync(join(run, 'service.json'), 'utf8')), {
    ...service,
    started: startedOf(process.pid),
  });
  assert.not.ok(existsSync(join(run, `service.json.${process.pid}.tmp`)));
});

test.run();
