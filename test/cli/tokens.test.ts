import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, scratch, startLogged, stop, type Started } from '../security/support.ts';

const test = suite<{ dir: string; service: Started }>('passthru token add, list and revoke against a running service');

test.before(async (context) => {
  const { dir, env } = scratch('passthru-cli-tokens-');
  context.dir = dir;
  context.service = await startLogged(env);
});
test.after(async ({ dir, service }) => {
  await stop(service);
  rmSync(dir, { recursive: true, force: true });
});

const asToken = (service: Started, token: string) => ({ ...service.env, PASSTHRU_TOKEN: token });

test('add prints the new token once, on its own last line; it reads but may not change', async ({ dir, service }) => {
  const added = await cli(service.env, 'token', 'add', 'monitor', '--role', 'read-only');
  assert.is(added.code, 0, added.stderr);
  const lines = added.stdout.trimEnd().split('\n');
  assert.is(lines[0], 'token monitor (read-only) issued; it is shown this once, keep it now:');
  const secret = lines[lines.length - 1]!;
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
  const stored = readFileSync(join(dir, 'var', 'tokens.json'), 'utf8');
  assert.not.ok(stored.includes(secret), 'only a hash is stored');
  assert.is(statSync(join(dir, 'var', 'tokens.json')).mode & 0o777, 0o600);

  const url = `http://127.0.0.1:${service.port}`;
  const read = await fetch(`${url}/v1/pcis`, { headers: { authorization: `Bearer ${secret}` } });
  assert.is(read.status, 200);
  const hide = await cli(asToken(service, secret), 'hide', '03:00.0');
  assert.is(hide.code, 1);
  assert.match(hide.stderr, /passthru hide: this needs the operator role; the token monitor is read-only/);
  const list = await cli(asToken(service, secret), 'token', 'list');
  assert.is(list.code, 1, 'a read-only token may not list the tokens');
});

test('list shows names, roles, when made and last used, never a secret', async ({ service }) => {
  const listed = await cli(service.env, 'token', 'list');
  assert.is(listed.code, 0, listed.stderr);
  const [header, ...rows] = listed.stdout.trimEnd().split('\n');
  assert.equal(header!.split(/\s{2,}/), ['NAME', 'ROLE', 'CREATED', 'LAST USED']);
  const cells = rows.map((row) => row.split(/\s{2,}/));
  assert.equal(
    cells.map(([name, role]) => [name, role]),
    [
      ['admin', 'operator'],
      ['monitor', 'read-only'],
    ],
  );
  for (const [, , created, lastUsed] of cells) {
    assert.ok(!Number.isNaN(Date.parse(created!)), created);
    assert.ok(!Number.isNaN(Date.parse(lastUsed!)), `${lastUsed}: both were used`);
  }
  const json = JSON.parse((await cli(service.env, 'token', 'list', '--json')).stdout);
  assert.equal(Object.keys(json[0]).sort(), ['created_at', 'last_used_at', 'name', 'role']);
});

test('revoke takes effect in the running service at once, and is recorded', async ({ service }) => {
  const added = await cli(service.env, 'token', 'add', 'ci', '--role', 'operator');
  const secret = added.stdout.trimEnd().split('\n').pop()!;
  const hide = await cli(asToken(service, secret), 'hide', '03:00.0');
  assert.is(hide.code, 0, hide.stderr);
  const revoked = await cli(service.env, 'token', 'revoke', 'ci');
  assert.is(revoked.code, 0, revoked.stderr);
  assert.is(revoked.stdout, 'token ci (operator) revoked\n');
  const after = await cli(asToken(service, secret), 'unhide', '03:00.0');
  assert.is(after.code, 1);
  assert.match(after.stderr, /the bearer token is wrong or was revoked/);

  const url = `http://127.0.0.1:${service.port}`;
  const headers = { authorization: `Bearer ${service.env.PASSTHRU_TOKEN}` };
  const feed = (await (await fetch(`${url}/v1/events?limit=1000`, { headers })).json()) as {
    events: { type: string; data: { name?: string }; metadata: { actor: string } }[];
  };
  const ci = feed.events.filter((e) => e.data.name === 'ci' || e.metadata.actor === 'ci');
  assert.equal(
    ci.map((e) => [e.type, e.metadata.actor]),
    [
      ['TokenIssued', 'admin'],
      ['Dom0AccessDisabled', 'ci'],
      ['TokenRevoked', 'admin'],
    ],
  );
});

test('bad input is refused with usage', async ({ service }) => {
  const noRole = await cli(service.env, 'token', 'add', 'x');
  assert.is(noRole.code, 2);
  assert.match(noRole.stderr, /token add needs a NAME and --role read-only or operator/);
  const admin = await cli(service.env, 'token', 'revoke', 'admin');
  assert.is(admin.code, 1);
  assert.match(admin.stderr, /admin is the service’s own token/);
  const unknown = await cli(service.env, 'token', 'revoke', 'nobody');
  assert.match(unknown.stderr, /no token named nobody/);
});

test.run();
