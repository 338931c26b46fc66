import { randomUUID } from 'node:crypto';
import { UnavailableError } from '@kurrent/kurrentdb-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { loadConfig } from '../../services/settings/config.ts';
import { Recorder } from '../../services/write/recorder.ts';
import type { NewEvent } from '../../services/store/event-store.ts';
import { KurrentDbEventStore, openKurrentDbStore } from '../../services/store/kurrentdb-store.ts';
import { FakeKurrentDb } from './kurrentdb/fake-client.ts';

interface Context {
  server: FakeKurrentDb;
  store: KurrentDbEventStore;
}

const ENDPOINT = 'kurrentdb://node1:2113?tls=false';

const event = (type = 'Thing', host = 'alpha'): NewEvent => ({
  id: randomUUID(),
  type,
  data: { n: 1 },
  metadata: { at: '2025-01-01T00:00:00.000Z', actor: 'test', correlation_id: randomUUID(), host },
});

async function failure(attempt: Promise<unknown>): Promise<PassthruError> {
  try {
    await attempt;
  } catch (error) {
    assert.instance(error, PassthruError);
    return error as PassthruError;
  }
  throw new Error('expected a rejection');
}

/** Waits for a condition the fake reaches by itself; the limit is a safety net far above the time it takes. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition();) {
    if (Date.now() - started > 10_000) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const test = suite<Context>('KurrentDB adapter against a fake client');
test.before.each(async (context) => {
  context.server = new FakeKurrentDb();
  context.store = await openKurrentDbStore(`${ENDPOINT}&defaultDeadline=200`, () => context.server);
});
test.after.each(({ store }) => store.close());

test('a conflict the client answers as success: false is a conflict, not the event already there', async ({
  server,
  store,
}) => {
  const theirs = event();
  await store.append('host-alpha', [theirs], 'no_stream');
  server.throwOnAppendFailure = false;
  const error = await failure(store.append('host-alpha', [event()], 'no_stream'));
  assert.is(error.kind, 'conflict');
  assert.equal(error.details, { stream: 'host-alpha', expected: 'no_stream', actual: 0 });
  const missing = await failure(store.append('host-beta', [event()], 0));
  assert.equal(missing.details, { stream: 'host-beta', expected: 0, actual: null });
  assert.equal(
    (await store.readStream('host-alpha')).map((e) => e.id),
    [theirs.id],
  );
});

test('a conflict thrown as WrongExpectedVersionError names the revision the stream is at', async ({ store }) => {
  await store.append('host-alpha', [event(), event()], 'no_stream');
  const error = await failure(store.append('host-alpha', [event()], 0));
  assert.is(error.kind, 'conflict');
  assert.equal(error.details, { stream: 'host-alpha', expected: 0, actual: 1 });
});

test('a committed write is reported with its own position even when followers lag behind', async ({
  server,
  store,
}) => {
  server.followerLag = 10;
  const single = event();
  const one = await store.append('host-alpha', [single], 'no_stream');
  const batch = [event(), event()];
  const two = await store.append('host-alpha', batch, 0);
  const retried = await store.append('host-alpha', batch, 0);
  const byId = new Map(server.log.map((e) => [e.id, Number(e.position.prepare)]));
  assert.equal(one, { revision: 0, position: byId.get(single.id) });
  assert.equal(two, { revision: 2, position: byId.get(batch[1]!.id) });
  assert.equal(retried, two);
  assert.is(server.log.length, 3);
});

test('only passthru events reach the feed, the head position and follow', async ({ server, store }) => {
  const ours = event();
  await store.append('pci-alpha@0000:03:00.0', [ours], 'no_stream');
  const wakes: number[] = [];
  const following = store.follow(0, () => wakes.push(wakes.length));
  await eventually(() => wakes.length === 1, 'woken by the event already there');
  server.writeRaw('orders-7', 'OrderPlaced', { total: 3 }, { at: 'x', actor: 'y', correlation_id: 'z', host: 'q' });
  server.writeRaw('$$orders-7', '$metadata', { $maxAge: 10 });
  server.writeRaw('host-alpha', 'Thing', { n: 1 });
  server.writeRaw('host-alpha', 'Thing', 'not json', { at: 'x', actor: 'y', correlation_id: 'z', host: 'q' });
  server.writeRaw('pci-alpha@0000:04:00.0', 'Thing', new Uint8Array([1]), undefined, false);
  const theirHead = server.log[server.log.length - 1]!.position.prepare;
  const feed = await store.readAll();
  assert.equal(
    feed.map((e) => e.id),
    [ours.id],
  );
  assert.is(await store.headPosition(), feed[0]!.position);
  assert.ok(BigInt(feed[0]!.position) < theirHead);
  assert.equal(await store.readAll({ types: ['OrderPlaced'] }), []);
  assert.equal(await store.readAll({ after: feed[0]!.position }), []);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.is(wakes.length, 1, 'no wake-up for foreign events');
  const later = event();
  await store.append('host-alpha', [later], 'any');
  await eventually(() => wakes.length === 2, 'woken by a passthru event');
  assert.equal(server.subscriptions[0]!.options.filter, {
    filterOn: 'streamName',
    regex: '^(?:pci-[A-Za-z0-9._-]+@.+|(?:host|tokens|plans)-[A-Za-z0-9._-]+)$',
    checkpointInterval: 1,
    checkpointReached: undefined,
  });
  await following.close();
});

test('a page of the feed asks the server for about a page and ends its read', async ({ server, store }) => {
  for (let i = 0; i < 60; i++) await store.append(`host-h${i % 3}`, [event()], 'any');
  server.allReads.length = 0;
  const first = await store.readAll({ limit: 5 });
  const second = await store.readAll({ limit: 5, after: first[4]!.position });
  assert.is(first.length, 5);
  assert.is(second.length, 5);
  assert.ok(second[0]!.position > first[4]!.position);
  assert.ok(
    server.allReads.every((read) => Number(read.maxCount) <= 7),
    `asked ${server.allReads.map((r) => r.maxCount)}`,
  );
  assert.is(server.openReads, 0, 'every read of the server ended');
  assert.ok(
    server.allReads.every((read) => read.filter !== undefined),
    'a cursor this store gave out needs no check',
  );
  const whole = await store.readAll();
  assert.is(whole.length, 60);
  assert.is(server.openReads, 0);
});

test('paging across foreign events still returns whole pages in order', async ({ server, store }) => {
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const e = event();
    ids.push(e.id);
    await store.append('host-alpha', [e], 'any');
    server.writeRaw('host-alpha', 'Stray', { n: i });
  }
  const paged: string[] = [];
  for (let after = 0; ;) {
    const page = await store.readAll({ after, limit: 3 });
    if (page.length === 0) break;
    paged.push(...page.map((e) => e.id));
    after = page[page.length - 1]!.position;
  }
  assert.equal(paged, ids);
});

test('a hung server fails start within the deadline, with a message naming it', async () => {
  const server = new FakeKurrentDb();
  server.hung.add('read');
  const error = await failure(openKurrentDbStore(`${ENDPOINT}&defaultDeadline=50`, () => server));
  assert.is(error.kind, 'store_failure');
  assert.is(
    error.message,
    `cannot use the KurrentDB store at ${ENDPOINT}&defaultDeadline=50: no answer within the deadline (50 ms, defaultDeadline in the connection string)`,
  );
  assert.ok(server.disposed);
});

test('a hung read and a hung append fail within the deadline; the append says it may have landed', async ({
  server,
  store,
}) => {
  server.hung.add('read');
  const read = await failure(store.readAll());
  assert.match(read.message, 'read $all failed: no answer within the deadline (200 ms');
  assert.is(read.details.outcome, undefined);
  assert.is(server.openReads, 1, "the client's return() does not cancel a read waiting for the server");
  server.hung.clear();
  server.hung.add('append');
  const append = await failure(store.append('host-alpha', [event()], 'no_stream'));
  assert.is(append.kind, 'store_failure');
  assert.is(append.details.outcome, 'unknown');
  assert.match(append.message, 'it may have been written');
});

test('refused credentials, denied access, a follower and no server get messages of their own', async () => {
  const cases: [(server: FakeKurrentDb) => void, string][] = [
    [(server) => (server.access = 'bad credentials'), 'the server refused the credentials'],
    [
      (server) => (server.access = 'denied'),
      "access denied: the connection string's user may not do this; passthru needs to read $all",
    ],
    [(server) => server.readFailures.push('NotLeaderError'), 'the node is not the leader'],
    [(server) => server.readFailures.push('UnavailableError'), 'the server is unavailable'],
  ];
  for (const [given, message] of cases) {
    const server = new FakeKurrentDb();
    given(server);
    const error = await failure(openKurrentDbStore(ENDPOINT, () => server));
    assert.match(error.message, `cannot use the KurrentDB store at ${ENDPOINT}: ${message}`);
  }
});

test('a command whose append lost its answer is retried with the same event id and lands once', async ({
  server,
  store,
}) => {
  const recorder = new Recorder(store, 'alpha', () => new Date('2025-01-01T00:00:00Z'));
  server.lostAnswers = 1;
  const appended = await recorder.appendToHost(
    {
      type: 'BootObserved',
      data: { boot_id: 'b', previous_boot_id: null, current: [], pending: [], claimed: [], not_claimed: [] },
    },
    { actor: 'test', correlationId: 'c' },
  );
  const [attempt, retry] = server.appends;
  assert.is(server.appends.length, 2);
  assert.equal(retry, attempt);
  const stored = await store.readStream('host-alpha');
  assert.equal(
    stored.map((e) => e.id),
    attempt!.ids,
  );
  assert.equal(appended, { type: 'BootObserved', revision: 0, position: stored[0]!.position });
});

test('follow resubscribes when the server ends the subscription cleanly, and after an error', async ({
  server,
  store,
}) => {
  let wakes = 0;
  const following = store.follow(0, () => (wakes += 1));
  await eventually(() => server.live.length === 1, 'subscribed');
  server.live[0]!.end();
  await eventually(() => server.live.length === 1, 'subscribed again after a clean end');
  await store.append('host-alpha', [event()], 'no_stream');
  await eventually(() => wakes === 1, 'woken after resubscribing');
  server.live[0]!.fail(new UnavailableError());
  await eventually(() => server.live.length === 1, 'subscribed again after an error');
  const { fromPosition } = server.live[0]!.options;
  assert.equal(fromPosition, server.log[0]!.position, 'resumed where it was');
  await following.close();
  assert.is(server.live.length, 0);
});

test('follow takes up again a subscription the server never confirms', async ({ server, store }) => {
  server.hung.add('subscribe');
  let wakes = 0;
  const following = store.follow(0, () => (wakes += 1));
  await eventually(() => server.subscriptions.length === 1, 'asked once');
  server.hung.clear();
  await eventually(() => server.live.length === 1 && server.subscriptions.length === 2, 'asked again, once');
  await store.append('host-alpha', [event()], 'no_stream');
  await eventually(() => wakes === 1, 'woken');
  await following.close();
});

test('an after that is not an event position is bad input, and no page is read from it', async ({ server, store }) => {
  const { position } = await store.append('host-alpha', [event()], 'no_stream');
  await store.append('host-alpha', [event()], 0);
  server.allReads.length = 0;
  for (const after of [-1, 1.5, 2 ** 60, Number.NaN]) {
    const error = await failure(store.readAll({ after }));
    assert.is(error.kind, 'invalid_input', String(after));
    assert.throws(() => store.follow(after, () => undefined), /is not the position of a stored event/);
  }
  assert.is(server.allReads.length, 0, 'never sent to the server');
  for (const after of [position + 1, position + 10_000]) {
    const error = await failure(store.readAll({ after }));
    assert.is(error.kind, 'invalid_input', String(after));
    assert.is(
      error.message,
      `after=${after} is not the position of a stored event (positions come from events already read)`,
    );
  }
  assert.ok(
    server.allReads.every((read) => read.filter === undefined && read.maxCount === 1),
    'only the one-event check saw the cursor',
  );
  assert.is((await store.readAll({ after: position })).length, 1);
});

test('a cursor inside a record is bad input even though the server reports it as unavailable, and follow is not retried on it', async ({
  server,
  store,
}) => {
  const { position } = await store.append('host-alpha', [event()], 'no_stream');
  await store.append('host-alpha', [event()], 0);
  const inside = position + 1;
  assert.is((await failure(store.readAll({ after: inside }))).kind, 'invalid_input');
  server.readFailures.push('UnavailableError', 'UnavailableError');
  const down = await failure(store.readAll({ after: inside }));
  assert.is(down.kind, 'store_failure');
  assert.match(down.message, 'read $all failed: the server is unavailable');
  server.allReads.length = 0;
  let wakes = 0;
  const following = store.follow(inside, () => (wakes += 1));
  await eventually(() => server.live.length === 1 && wakes === 1, 'woken once, to read the cursor and fail');
  assert.is(server.live[0]!.options.fromPosition, 'end');
  assert.is(server.allReads.length, 2, 'the cursor checked once, with one read that the server answers');
  await following.close();
});

test('a lagging follower does not hide the last host event from a reader of the stream', async ({ server, store }) => {
  const recorder = new Recorder(store, 'alpha', () => new Date('2025-01-01T00:00:00Z'));
  const boot = {
    type: 'BootObserved' as const,
    data: { boot_id: 'b', previous_boot_id: null, current: [], pending: [], claimed: [], not_claimed: [] },
  };
  const appended = await recorder.appendToHost(boot, { actor: 'test', correlationId: 'c' });
  server.followerLag = 1;
  const last = await recorder.lastHostEvent();
  assert.equal(last && [last.type, last.position], ['BootObserved', appended.position]);
});

test('a tombstoned stream and an append over the maximum size answer with what happened', async ({ server, store }) => {
  await store.append('host-alpha', [event()], 'no_stream');
  server.tombstone('host-alpha');
  const write = await failure(store.append('host-alpha', [event()], 0));
  assert.is(write.kind, 'store_failure');
  assert.is(
    write.message,
    `KurrentDB at ${ENDPOINT}&defaultDeadline=200: append to host-alpha failed: the stream host-alpha was deleted for good (tombstoned) on the server: it can be neither read nor written again`,
  );
  assert.is(write.details.outcome, undefined);
  const read = await failure(store.readStream('host-alpha'));
  assert.match(read.message, 'read host-alpha failed: the stream host-alpha was deleted for good (tombstoned)');
  server.maxAppendSize = 4;
  const large = await failure(store.append('host-beta', [event()], 'no_stream'));
  assert.match(
    large.message,
    "append to host-beta failed: the append is larger than the server's maximum append size (4 bytes)",
  );
  assert.is(large.details.outcome, undefined);
});

test('follow.close() ends within the deadline when the server does not answer the unsubscribe', async ({
  server,
  store,
}) => {
  server.hung.add('unsubscribe');
  const following = store.follow(0, () => undefined);
  await eventually(() => server.live.length === 1, 'subscribed');
  let closed = false;
  void following.close().then(() => (closed = true));
  await eventually(() => closed, 'closed');
});

test.run();

const strings = suite('KurrentDB connection strings');
strings('every scheme the client takes opens, esdb:// spelled as kurrentdb://', async () => {
  for (const scheme of ['kurrentdb', 'kurrent', 'kdb', 'esdb']) {
    for (const discover of ['', '+discover']) {
      const given: string[] = [];
      const store = await openKurrentDbStore(`${scheme}${discover}://admin:changeit@node1:2113?tls=true`, (cs) => {
        given.push(cs);
        return new FakeKurrentDb();
      });
      const spelled = scheme === 'esdb' ? 'kurrentdb' : scheme;
      assert.equal(given, [`${spelled}${discover}://admin:changeit@node1:2113?tls=true&defaultDeadline=5000`]);
      assert.is(store.endpoint, `${spelled}${discover}://node1:2113?tls=true`);
      await store.close();
    }
  }
});
strings('the store setting takes every scheme, and names them when it refuses one', () => {
  const env = { PASSTHRU_HOST_ID: 'alpha', PASSTHRU_HOST_MODE: 'simulated', PASSTHRU_DATA_DIR: '/tmp/passthru-config' };
  for (const scheme of ['kurrentdb', 'kurrent', 'kdb', 'esdb', 'kdb+discover', 'esdb+discover']) {
    const store = `${scheme}://node1:2113?tls=false`;
    assert.is(loadConfig({ ...env, PASSTHRU_STORE: store }).store, store);
  }
  assert.throws(
    () => loadConfig({ ...env, PASSTHRU_STORE: 'eventstore://node1:2113' }),
    /KurrentDB connection string \(kurrentdb:\/\/, kurrent:\/\/, kdb:\/\/ or esdb:\/\/, each also \+discover\)/,
  );
});
strings('a deadline that is not milliseconds is refused before connecting', async () => {
  const error = await failure(openKurrentDbStore(`${ENDPOINT}&defaultDeadline=soon`, () => new FakeKurrentDb()));
  assert.is(error.kind, 'invalid_input');
  assert.match(error.message, 'defaultDeadline in the KurrentDB connection string must be milliseconds, not "soon"');
});
strings.run();
