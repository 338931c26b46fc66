import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import type { InjectOptions } from 'fastify';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, READER_TOKEN, TOKEN, World } from '../support/world.ts';

const test = suite<{ world: World }>('every route authenticated, with roles');

test.before.each(async (context) => {
  context.world = await World.start();
  await context.world.addReader();
});
test.after.each(async ({ world }) => world.close());

interface Route {
  readonly method: string;
  readonly url: string;
  readonly xapi: boolean;
  readonly stream: boolean;
}

/** Every route the app documents, whoever added it, with a real device, plan or token name in its path. */
async function routes(world: World, plan = 'no-plan'): Promise<Route[]> {
  const { paths } = (await world.get('/openapi.json')).json() as {
    paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, { content?: object }> }>>;
  };
  const listed = Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      url: path.replace('{id}', path.startsWith('/v1/plans/') ? plan : GPU.id).replace('{name}', 'reader'),
      xapi: operation.tags?.includes('XAPI') ?? false,
      stream: Object.keys(operation.responses['200']?.content ?? {}).includes('text/event-stream'),
    })),
  );
  return [...listed, { method: 'GET', url: '/openapi.json', xapi: false, stream: false }];
}

const call = (world: World, route: Route, authorization?: string) =>
  world.request({
    method: route.method as InjectOptions['method'],
    url: route.url,
    headers: authorization === undefined ? {} : { authorization },
    ...(route.method === 'POST' ? { payload: {} } : {}),
  });

function assertProblem(response: Awaited<ReturnType<World['request']>>, status: number, what: string) {
  assert.is(response.statusCode, status, what);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/, what);
  assert.is(response.json().status, status, what);
}

test('given no token, a wrong one or a malformed header, every route but /healthz and XAPI answers 401 problem+json', async ({
  world,
}) => {
  const guarded = (await routes(world)).filter((route) => !route.xapi && route.url !== '/healthz');
  assert.ok(guarded.length >= 15, `${guarded.length} routes found`);
  for (const route of guarded) {
    for (const header of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await call(world, route, header);
      const what = `${route.method} ${route.url} with ${header ?? 'no header'}`;
      assertProblem(response, 401, what);
      assert.is(response.headers['www-authenticate'], 'Bearer realm="passthru"', what);
    }
  }
  assert.is((await world.get('/healthz', null)).statusCode, 200, '/healthz is public');
});

test('given a read-only token, every read answers and every change is 403 problem+json, changing nothing', async ({
  world,
}) => {
  const plan = (await world.post('/v1/plans', { hidden: [{ id: GPU.id }] })).json().id;
  const before = (await world.get('/v1/events?limit=1000')).json().events.length;
  for (const route of (await routes(world, plan)).filter((r) => !r.xapi && !r.stream)) {
    const response = await call(world, route, `Bearer ${READER_TOKEN}`);
    const what = `${route.method} ${route.url}`;
    if (route.method === 'GET' && route.url !== '/v1/tokens') {
      assert.ok(response.statusCode < 400, `${what} answered ${response.statusCode} ${response.body}`);
    } else {
      assertProblem(response, 403, what);
      assert.match(response.json().detail, /needs the operator role; the token reader is read-only/, what);
    }
  }
  assert.is((await world.get('/v1/events?limit=1000')).json().events.length, before, 'nothing recorded');
  assert.is(await world.status(GPU.id), 'enabled');
});

test('whoami names the token presented and its role', async ({ world }) => {
  assert.equal((await world.get('/v1/whoami')).json(), { name: 'admin', role: 'operator' });
  assert.equal((await world.get('/v1/whoami', READER_TOKEN)).json(), { name: 'reader', role: 'read-only' });
});

test('a token issued works at once, is recorded with its issuer, and the secret appears in no event', async ({
  world,
}) => {
  const issued = await world.post('/v1/tokens', { name: 'xo', role: 'operator' });
  assert.is(issued.statusCode, 201);
  const { token, ...summary } = issued.json();
  assert.equal(
    { name: summary.name, role: summary.role, last_used_at: summary.last_used_at },
    { name: 'xo', role: 'operator', last_used_at: null },
  );
  const hidden = await world.post(`/v1/pcis/${GPU.id}/hide`, {}, token);
  assert.is(hidden.statusCode, 200);
  const events = (await world.get('/v1/events?limit=1000')).json().events;
  const change = events.find((e: { type: string }) => e.type === 'Dom0AccessDisabled');
  assert.is(change.metadata.actor, 'xo', 'the token name is the actor');
  const record = events.find(
    (e: { type: string; data: { name?: string } }) => e.type === 'TokenIssued' && e.data.name === 'xo',
  );
  assert.equal(record.data, { name: 'xo', role: 'operator' });
  assert.is(record.metadata.actor, 'admin');
  assert.is(record.stream, 'tokens-test-host');
  assert.not.ok(JSON.stringify(events).includes(token), 'the secret is never recorded');
});

test('a revoked token is refused on its very next request, and the revoke is recorded', async ({ world }) => {
  assert.is((await world.get('/v1/pcis', READER_TOKEN)).statusCode, 200);
  const revoked = await world.request({
    method: 'DELETE',
    url: '/v1/tokens/reader',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.is(revoked.statusCode, 200);
  assert.is(revoked.json().name, 'reader');
  assert.ok(revoked.json().last_used_at, 'when it was last used');
  assertProblem(await world.get('/v1/pcis', READER_TOKEN), 401, 'after the revoke');
  const last = (await world.get('/v1/events?type=TokenRevoked')).json().events[0];
  assert.equal(last.data, { name: 'reader', role: 'read-only' });
  assert.is(last.metadata.actor, 'admin');
});

test('a token read with again is not hashed again: a read costs a map lookup (a revoke still refuses it at once, above)', async ({
  world,
}) => {
  assert.is((await world.get('/v1/pcis', READER_TOKEN)).statusCode, 200);
  const writable = crypto as { createHash: typeof crypto.createHash };
  const original = crypto.createHash;
  let hashes = 0;
  writable.createHash = ((...args: Parameters<typeof crypto.createHash>) => {
    hashes++;
    return original(...args);
  }) as typeof crypto.createHash;
  syncBuiltinESMExports();
  try {
    for (let i = 0; i < 10; i++) assert.is((await world.get('/v1/pcis', READER_TOKEN)).statusCode, 200);
  } finally {
    writable.createHash = original;
    syncBuiltinESMExports();
  }
  assert.is(hashes, 0);
});

test('token management: names are unique, admin cannot be revoked, unknown names are 404, bad input 400', async ({
  world,
}) => {
  assertProblem(await world.post('/v1/tokens', { name: 'reader', role: 'operator' }), 409, 'duplicate');
  assertProblem(await world.post('/v1/tokens', { name: 'x', role: 'root' }), 400, 'unknown role');
  assertProblem(await world.post('/v1/tokens', { name: 'a b', role: 'operator' }), 400, 'bad name');
  const del = (name: string) =>
    world.request({ method: 'DELETE', url: `/v1/tokens/${name}`, headers: { authorization: `Bearer ${TOKEN}` } });
  assertProblem(await del('admin'), 409, 'admin');
  assertProblem(await del('nobody'), 404, 'unknown');
  const listed = (await world.get('/v1/tokens')).json();
  assert.equal(
    listed.map((t: { name: string; role: string }) => [t.name, t.role]),
    [
      ['admin', 'operator'],
      ['reader', 'read-only'],
    ],
  );
  assert.not.ok(JSON.stringify(listed).includes('hash'), 'the list holds no hash');
});

test('a token may not take a name the service records its own changes under: 400 with a detail, nothing issued', async ({
  world,
}) => {
  const before = (await world.get('/v1/events')).json().events.length;
  for (const name of ['passthru', 'reconciler', 'boot-config-watcher', 'holder-poll', 'xl-poll', 'Reconciler']) {
    const refused = await world.post('/v1/tokens', { name, role: 'operator' });
    assertProblem(refused, 400, name);
    assert.is(
      refused.json().detail,
      `${name} is a name the service records its own changes under (passthru, reconciler, boot-config-watcher, holder-poll, xl-poll): a token's changes would read as the service's; pick another name`,
    );
  }
  assert.is((await world.get('/v1/events')).json().events.length, before, 'no token issued');
});

test('a restart keeps the tokens, and PASSTHRU_TOKEN still sets the admin secret', async ({ world }) => {
  await world.restart();
  assert.is((await world.get('/v1/whoami', READER_TOKEN)).json().name, 'reader');
  assert.is((await world.get('/v1/whoami')).json().name, 'admin');
  const issued = (await world.get('/v1/events?type=TokenIssued')).json().events;
  assert.is(issued.filter((e: { data: { name: string } }) => e.data.name === 'admin').length, 1, 'admin issued once');
});

test.run();
