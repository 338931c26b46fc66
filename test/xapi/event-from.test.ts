import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, NVME, READER_TOKEN, World } from '../support/world.ts';
import { jsonLogin, jsonRpc } from './support.ts';

interface XapiEvent {
  id: string;
  timestamp: string;
  class: string;
  operation: string;
  ref: string;
  snapshot: Record<string, any>;
}

const test = suite<{ world: World; session: string }>('XAPI event.from, event.inject, event.get_current_id');
test.before.each(async (context) => {
  context.world = await World.start();
  context.session = await jsonLogin(context.world);
});
test.after.each(async ({ world }) => world.close());

const call = async (world: World, method: string, ...params: unknown[]) => {
  const answer = await jsonRpc(world, method, params);
  if (answer.error) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result;
};
const failureOf = async (world: World, method: string, ...params: unknown[]) =>
  (await jsonRpc(world, method, params)).error;
const from = (world: World, session: string, classes: string[], token: string, timeout = 0) =>
  call(world, 'event.from', session, classes, token, timeout) as Promise<{
    events: XapiEvent[];
    valid_ref_counts: Record<string, number>;
    token: string;
  }>;

async function refsByAddress(world: World, session: string) {
  const pcis = await call(world, 'PCI.get_all_records', session);
  const pgpus = await call(world, 'PGPU.get_all_records', session);
  const pci = (id: string) => Object.keys(pcis).find((ref) => pcis[ref].pci_id === id)!;
  const pgpu = (id: string) => Object.keys(pgpus).find((ref) => pgpus[ref].PCI === pci(id))!;
  return { pcis, pgpus, pci, pgpu };
}

test('the empty token gives an add for every object, its snapshot as get_record gives it', async ({
  world,
  session,
}) => {
  const result = await from(world, session, ['*'], '');
  const { pcis, pgpus } = await refsByAddress(world, session);
  const [pool] = await call(world, 'pool.get_all', session);
  const [host] = await call(world, 'host.get_all', session);
  assert.ok(result.events.every((e) => e.operation === 'add'));
  const byRef = Object.fromEntries(result.events.map((e) => [e.ref, [e.class, e.snapshot]]));
  assert.equal(byRef, {
    ...Object.fromEntries(Object.entries(pcis).map(([ref, record]) => [ref, ['pci', record]])),
    ...Object.fromEntries(Object.entries(pgpus).map(([ref, record]) => [ref, ['pgpu', record]])),
    [pool]: ['pool', await call(world, 'pool.get_record', session, pool)],
    [host]: ['host', await call(world, 'host.get_record', session, host)],
  });
  assert.equal(result.valid_ref_counts, { pci: 3, pgpu: 1, host: 1, pool: 1, task: 0 });
  assert.match(result.token, /^\d{20},\d{20}$/);
});

test('classes select by name in any case, or one object by class/ref', async ({ world, session }) => {
  const { pci } = await refsByAddress(world, session);
  const classesOf = async (classes: string[]) =>
    [...new Set((await from(world, session, classes, '')).events.map((e) => e.class))].sort();
  assert.equal(await classesOf(['PCI']), ['pci']);
  assert.equal(await classesOf(['pgpu', 'pool']), ['pgpu', 'pool']);
  assert.equal(await classesOf(['vm']), []);
  const one = await from(world, session, [`pci/${pci(NIC.id)}`], '');
  assert.equal(
    one.events.map((e) => e.ref),
    [pci(NIC.id)],
  );
});

test('a hide is one mod of the PCI and one of its PGPU, with the status after it', async ({ world, session }) => {
  const { pci, pgpu } = await refsByAddress(world, session);
  const { token } = await from(world, session, ['*'], '');
  const waiting = from(world, session, ['pci', 'pgpu'], token, 30);
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  const result = await waiting;
  assert.equal(
    result.events.map((e) => [e.class, e.operation, e.ref]),
    [
      ['pci', 'mod', pci(GPU.id)],
      ['pgpu', 'mod', pgpu(GPU.id)],
    ],
  );
  assert.is(result.events[1]!.snapshot.dom0_access, 'disable_on_reboot');
  assert.equal(result.events[0]!.snapshot, await call(world, 'PCI.get_record', session, pci(GPU.id)));
  const [event] = (await world.get('/v1/events?type=Dom0AccessDisabled')).json().events;
  assert.is(result.events[0]!.id, String(event.position));
});

test('several changes of one object in one batch are one event, at its latest', async ({ world, session }) => {
  const { pci } = await refsByAddress(world, session);
  const { token } = await from(world, session, ['pci'], '');
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.post(`/v1/pcis/${NIC.id}/unhide`);
  await world.post(`/v1/pcis/${NVME.id}/hide`);
  const result = await from(world, session, ['pci'], token, 5);
  assert.equal(
    result.events.map((e) => [e.operation, e.ref]),
    [
      ['mod', pci(NIC.id)],
      ['mod', pci(NVME.id)],
    ],
  );
  assert.is(await call(world, 'PCI.get_dom0_access_status', session, pci(NIC.id)), 'enabled');
});

test('a long poll with nothing to tell answers empty at its timeout, with a token that still works', async ({
  world,
  session,
}) => {
  const { token } = await from(world, session, ['pci'], '');
  const quiet = await from(world, session, ['pci'], token, 0.2);
  assert.equal(quiet.events, []);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const next = await from(world, session, ['pci'], quiet.token, 5);
  assert.is(next.events.length, 1);
});

test('event.inject makes a mod of the object and returns a token from just before it', async ({ world, session }) => {
  const [pool] = await call(world, 'pool.get_all', session);
  const token = await call(world, 'event.inject', session, 'pool', pool);
  const result = await from(world, session, ['pool'], token, 5);
  assert.equal(
    result.events.map((e) => [e.class, e.operation, e.ref]),
    [['pool', 'mod', pool]],
  );
  const after = await from(world, session, ['pool'], result.token, 0.1);
  assert.equal(after.events, [], 'an injection is seen once');
  assert.equal(await failureOf(world, 'event.inject', session, 'PGPU', pool), {
    code: 1,
    message: 'HANDLE_INVALID',
    data: ['PGPU', pool],
  });
});

test('a malformed token is EVENT_FROM_TOKEN_PARSE_FAILURE, one from beyond the store EVENTS_LOST', async ({
  world,
  session,
}) => {
  assert.equal(await failureOf(world, 'event.from', session, ['*'], 'yesterday', 0), {
    code: 1,
    message: 'EVENT_FROM_TOKEN_PARSE_FAILURE',
    data: ['yesterday'],
  });
  const beyond = `${'9'.repeat(15).padStart(20, '0')},${'0'.repeat(20)}`;
  assert.equal(await failureOf(world, 'event.from', session, ['*'], beyond, 0), {
    code: 1,
    message: 'EVENTS_LOST',
    data: [],
  });
  assert.equal(await failureOf(world, 'event.from', session, 'pci', '', 0), {
    code: 1,
    message: 'FIELD_TYPE_ERROR',
    data: ['classes'],
  });
});

test('a token survives a restart: it gives exactly what changed since', async ({ world }) => {
  let session = await jsonLogin(world);
  const { token } = await from(world, session, ['pci'], '');
  await world.restart();
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NVME.id})`);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  session = await jsonLogin(world);
  const { pci } = await refsByAddress(world, session);
  // The change by hand is recorded by the watcher, maybe after the hide: read on until both are in.
  const seen: string[] = [];
  for (let next = token; seen.length < 2;) {
    const result = await from(world, session, ['pci'], next, 10);
    assert.ok(result.events.length > 0, 'nothing more came');
    seen.push(...result.events.map((e) => e.ref));
    next = result.token;
  }
  assert.equal(seen.sort(), [pci(NIC.id), pci(NVME.id)].sort());
});

test('event.get_current_id is the newest store position', async ({ world, session }) => {
  const head = (await world.get('/v1/events?limit=1000')).json().events.at(-1).position;
  assert.is(await call(world, 'event.get_current_id', session), head);
});

test('a service closing answers its long polls at once', async ({ world, session }) => {
  const { token } = await from(world, session, ['pci'], '');
  const waiting = from(world, session, ['pci'], token, 600);
  await new Promise((r) => setTimeout(r, 50));
  await world.restart();
  assert.equal((await waiting).events, []);
});

test('a long poll whose token is revoked while it waits answers SESSION_INVALID at once, telling nothing more', async ({
  world,
}) => {
  await world.addReader();
  const reader = (await jsonRpc(world, 'session.login_with_password', ['reader', READER_TOKEN, '2.21', 'test'])).result;
  const { token } = await from(world, reader, ['pci'], '');
  const waiting = jsonRpc(world, 'event.from', [reader, ['pci'], token, 600]);
  await new Promise((r) => setTimeout(r, 50));
  await world.passthru.access.revoke('reader', { actor: 'admin', correlationId: 'test' });
  const answer = await Promise.race([waiting, new Promise((r) => setTimeout(() => r('still waiting'), 20_000))]);
  assert.equal(answer, { jsonrpc: '2.0', error: { code: 1, message: 'SESSION_INVALID', data: [reader] }, id: 1 });
});

test.run();

const wire = suite<{ world: World }>('XAPI wire details for watchers');
wire.before(async (context) => {
  context.world = await World.start();
});
wire.after(async ({ world }) => world.close());

wire('system.listMethods needs no session and lists every get_all_records', async ({ world }) => {
  const answer = await jsonRpc(world, 'system.listMethods', []);
  const records = answer.result.filter((m: string) => m.endsWith('.get_all_records')).sort();
  assert.equal(records, [
    'PCI.get_all_records',
    'PGPU.get_all_records',
    'host.get_all_records',
    'pool.get_all_records',
    'task.get_all_records',
  ]);
  for (const method of ['event.from', 'event.inject', 'event.get_current_id', 'session.login_with_password']) {
    assert.ok(answer.result.includes(method), method);
  }
});

wire('pool and host records, and no tasks', async ({ world }) => {
  const session = await jsonLogin(world);
  const pools = await call(world, 'pool.get_all_records', session);
  const [hostRef] = await call(world, 'host.get_all', session);
  const [poolRef] = Object.keys(pools);
  assert.is(pools[poolRef!].master, hostRef);
  assert.equal(pools[poolRef!].other_config, {});
  assert.equal(Object.keys(await call(world, 'host.get_all_records', session)), [hostRef]);
  assert.equal(await call(world, 'task.get_all_records', session), {});
});

wire('JSON-RPC answers exactly application/json, and a 1.0 request in 1.0 form', async ({ world }) => {
  const post = (payload: object) => world.request({ method: 'POST', url: '/jsonrpc', payload });
  const v2 = await post({ jsonrpc: '2.0', method: 'system.listMethods', params: [], id: 1 });
  assert.is(v2.headers['content-type'], 'application/json');
  const ok = await post({ method: 'session.login_with_password', params: ['root', 'wrong'], id: 7 });
  assert.is(ok.headers['content-type'], 'application/json');
  assert.equal(ok.json(), {
    result: null,
    error: ['SESSION_AUTHENTICATION_FAILED', 'root', 'Authentication failure: the password must be a passthru token'],
    id: 7,
  });
  const success = (await post({ method: 'system.listMethods', params: [], id: 'a' })).json();
  assert.equal([Object.keys(success).sort(), success.error, success.id], [['error', 'id', 'result'], null, 'a']);
});

wire('XML-RPC answers exactly text/xml, at /xmlrpc as at /', async ({ world }) => {
  const body = '<methodCall><methodName>system.listMethods</methodName><params></params></methodCall>';
  for (const url of ['/', '/xmlrpc']) {
    const response = await world.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'text/xml' },
      payload: body,
    });
    assert.is(response.headers['content-type'], 'text/xml', url);
    assert.match(response.body, /^<\?xml version="1.0"\?><methodResponse><params>/);
  }
});

wire.run();
