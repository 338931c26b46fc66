import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, scratch, startLogged, stop, TOKEN } from './support.ts';

const test = suite('local files private: data dir 0700, everything in it 0600');
const dirs: string[] = [];
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const modeOf = (path: string) => statSync(path).mode & 0o777;

function workspace(prefix: string, extra: Record<string, string> = {}) {
  const made = scratch(prefix, extra);
  dirs.push(made.dir);
  return { ...made, data: join(made.dir, 'var') };
}

test('a first start beyond loopback makes the data dir 0700 and every file in it 0600', async () => {
  const { env, data } = workspace('passthru-modes-new-', { PASSTHRU_BIND: '0.0.0.0', PASSTHRU_TOKEN: '' });
  const service = await startLogged(env);
  const listed = await cli({ ...service.env, PASSTHRU_TOKEN: '' }, 'token', 'add', 'reader', '--role', 'read-only');
  assert.is(listed.code, 0, listed.stderr);
  await stop(service);
  assert.is(modeOf(data), 0o700);
  const files = readdirSync(data).filter((name) => statSync(join(data, name)).isFile());
  for (const name of ['events.db', 'token', 'tokens.json', 'projections.checkpoint.json', 'tls-key.pem']) {
    assert.ok(files.includes(name), `${name} made`);
  }
  for (const name of files) assert.is(modeOf(join(data, name)), 0o600, name);
});

test('a data dir, store and token list others could read are made private at start, with a warning', async () => {
  const { env, data } = workspace('passthru-modes-loose-');
  await stop(await startLogged(env));
  chmodSync(data, 0o755);
  chmodSync(join(data, 'events.db'), 0o644);
  chmodSync(join(data, 'tokens.json'), 0o664);
  const service = await startLogged(env);
  await stop(service);
  assert.is(modeOf(data), 0o700);
  assert.is(modeOf(join(data, 'events.db')), 0o600);
  assert.is(modeOf(join(data, 'tokens.json')), 0o600);
  const warned = service
    .logs()
    .filter((line) => line.msg === 'other users could read this: made private')
    .map((line) => [line.path, line.was]);
  assert.equal(warned, [
    [data, '0755'],
    [join(data, 'events.db'), '0644'],
    [join(data, 'tokens.json'), '0664'],
  ]);
});

test('a token file or TLS key others could read is refused: its secret may be known, so it must be replaced', async () => {
  const { env, data } = workspace('passthru-modes-secret-', { PASSTHRU_TOKEN: '' });
  await stop(await startLogged(env));
  chmodSync(join(data, 'token'), 0o644);
  const refused = await cli(env, 'serve');
  assert.is(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`${join(data, 'token')} is readable by other users \\(mode 0644\\)`));
  assert.is(modeOf(join(data, 'token')), 0o644, 'left as found, for the operator to replace');

  rmSync(join(data, 'token'));
  const key = join(data, 'given-key.pem');
  writeFileSync(key, 'not even a key\n', { mode: 0o640 });
  const keyRefused = await cli({ ...env, PASSTHRU_TLS_CERT: join(data, 'c.pem'), PASSTHRU_TLS_KEY: key }, 'serve');
  assert.is(keyRefused.code, 2);
  assert.match(keyRefused.stderr, /given-key\.pem is readable by other users \(mode 0640\)/);
});

test('the token file still holds the admin secret, which the CLI reads', async () => {
  const { env, data } = workspace('passthru-modes-admin-', { PASSTHRU_TOKEN: '' });
  const service = await startLogged(env);
  try {
    const whoami = await fetch(`http://127.0.0.1:${service.port}/v1/whoami`, {
      headers: {
        authorization: `Bearer ${readFileSync(join(data, 'token'), 'utf8').trim()}`,
      },
    });
    assert.equal(await whoami.json(), { name: 'admin', role: 'operator' });
    const wrong = await fetch(`http://127.0.0.1:${service.port}/v1/whoami`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.is(wrong.status, 401, 'PASSTHRU_TOKEN unset: the file, not the old value, is the secret');
  } finally {
    await stop(service);
  }
});

test.run();
