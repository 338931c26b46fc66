import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError, type ErrorKind } from '../../domain/errors.ts';
import type { ExpectedRevision, NewEvent } from '../../services/store/event-store.ts';
import { SqliteEventStore } from '../../services/store/sqlite-store.ts';

const test = suite('SQLite event store');

const T0 = '2025-03-01T10:00:00.000Z';
let dir = '';
let path = '';
let clock = new Date(T0);
let opened: SqliteEventStore[] = [];

const open = (at = path) => {
  const store = new SqliteEventStore(at, () => clock);
  opened.push(store);
  return store;
};
const metadata = { at: T0, actor: 'test', correlation_id: 'corr-1', host: 'host-1' };
const event = (id: string, type = 'Dom0AccessDisabled', data: unknown = { n: id }): NewEvent => ({
  id,
  type,
  data,
  metadata,
});

/** Runs `body`, which must throw a PassthruError of `kind`; returns its message. */
async function failure(kind: ErrorKind, body: () => unknown): Promise<string> {
  try {
    await body();
  } catch (error) {
    assert.instance(error, PassthruError);
    assert.is((error as PassthruError).kind, kind);
    return (error as PassthruError).message;
  }
  assert.unreachable(`expected a ${kind} error`);
  return '';
}

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'passthru-store-'));
  path = join(dir, 'events.db');
  clock = new Date(T0);
  opened = [];
});

test.after.each(async () => {
  for (const store of opened) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('appended events read back whole, by stream and in store order, stamped by the clock', async () => {
  const store = open();
  const first = await store.append('pci-a', [event('e1'), event('e2', 'Dom0AccessEnabled')], 'no_stream');
  clock = new Date('2025-03-01T11:00:00.000Z');
  const second = await store.append('pci-b', [event('e3')], 'no_stream');
  assert.is(first.revision, 1);
  assert.is(second.revision, 0);
  assert.ok(second.position > first.position);

  const all = await store.readAll();
  assert.equal(
    all.map((e) => e.position),
    [...all.map((e) => e.position)].sort((a, b) => a - b),
  );
  assert.is(new Set(all.map((e) => e.position)).size, 3);
  const [p1, p2, p3] = all.map((e) => e.position);
  assert.is(p2, first.position);
  assert.is(p3, second.position);
  assert.equal(all, [
    {
      id: 'e1',
      stream: 'pci-a',
      revision: 0,
      position: p1,
      type: 'Dom0AccessDisabled',
      data: { n: 'e1' },
      metadata,
      stored_at: T0,
    },
    {
      id: 'e2',
      stream: 'pci-a',
      revision: 1,
      position: p2,
      type: 'Dom0AccessEnabled',
      data: { n: 'e2' },
      metadata,
      stored_at: T0,
    },
    {
      id: 'e3',
      stream: 'pci-b',
      revision: 0,
      position: p3,
      type: 'Dom0AccessDisabled',
      data: { n: 'e3' },
      metadata,
      stored_at: '2025-03-01T11:00:00.000Z',
    },
  ]);
  assert.equal(await store.readStream('pci-a'), all.slice(0, 2));
  assert.equal(await store.readStream('pci-a', { from: 1 }), all.slice(1, 2));
  assert.equal(await store.readStream('pci-a', { limit: 1 }), all.slice(0, 1));
  assert.equal(await store.readStream('pci-none'), []);
});

test('streamRevision and headPosition follow the appends, from null and 0 on an empty store', async () => {
  const store = open();
  assert.is(await store.streamRevision('pci-a'), null);
  assert.is(await store.headPosition(), 0);
  await store.append('pci-a', [event('e1'), event('e2')], 'any');
  const last = await store.append('pci-b', [event('e3')], 'any');
  assert.is(await store.streamRevision('pci-a'), 1);
  assert.is(await store.streamRevision('pci-b'), 0);
  assert.is(await store.headPosition(), last.position);
});

const accepted: [string, ExpectedRevision, number | null][] = [
  ['any on a new stream', 'any', null],
  ['any on an existing stream', 'any', 1],
  ['no_stream on a new stream', 'no_stream', null],
  ['stream_exists on an existing stream', 'stream_exists', 1],
  ['the exact last revision', 1, 1],
];
for (const [name, expected, at] of accepted) {
  test(`an append expecting ${name} is accepted`, async () => {
    const store = open();
    if (at !== null) await store.append('pci-a', [event('e1'), event('e2')], 'no_stream');
    const result = await store.append('pci-a', [event('new')], expected);
    assert.is(result.revision, (at ?? -1) + 1);
    assert.is(await store.streamRevision('pci-a'), (at ?? -1) + 1);
  });
}

const rejected: [string, ExpectedRevision, number | null, string][] = [
  ['no_stream on an existing stream', 'no_stream', 1, 'stream pci-a is at revision 1, expected no_stream'],
  [
    'stream_exists on a new stream',
    'stream_exists',
    null,
    'stream pci-a is at no revision (it does not exist), expected stream_exists',
  ],
  ['an older revision', 0, 1, 'stream pci-a is at revision 1, expected 0'],
  ['a later revision', 2, 1, 'stream pci-a is at revision 1, expected 2'],
  ['a revision on a new stream', 0, null, 'stream pci-a is at no revision (it does not exist), expected 0'],
];
for (const [name, expected, at, message] of rejected) {
  test(`an append expecting ${name} is a conflict that names the stream and both revisions, and appends nothing`, async () => {
    const store = open();
    if (at !== null) await store.append('pci-a', [event('e1'), event('e2')], 'no_stream');
    const before = await store.readAll();
    assert.is(await failure('conflict', () => store.append('pci-a', [event('new')], expected)), message);
    assert.equal(await store.readAll(), before);
  });
}

test('two appends racing on a new stream with no_stream: exactly one wins', async () => {
  const store = open();
  const results = await Promise.allSettled([
    store.append('pci-a', [event('e1')], 'no_stream'),
    store.append('pci-a', [event('e2')], 'no_stream'),
  ]);
  assert.equal(
    results.map((r) => r.status),
    ['fulfilled', 'rejected'],
  );
  assert.is(((results[1] as PromiseRejectedResult).reason as PassthruError).kind, 'conflict');
  assert.equal(
    (await store.readAll()).map((e) => e.id),
    ['e1'],
  );
});

test('appends asked in the same turn commit together; one that fails leaves the others in', async () => {
  const store = open();
  await store.append('pci-a', [event('e0')], 'no_stream');
  const outcomes = await Promise.allSettled([
    store.append('pci-a', [event('e1')], 0),
    store.append('pci-a', [event('e2')], 0),
    store.append('pci-b', [event('e3'), event('e3')], 'any'),
    store.append('pci-c', [event('e4')], 'no_stream'),
  ]);
  assert.equal(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  assert.match(
    String((outcomes[2] as PromiseRejectedResult).reason.message),
    'the same event id twice in one append to pci-b',
  );
  assert.equal(
    (await store.readAll()).map((e) => e.id),
    ['e0', 'e1', 'e4'],
  );
});

test('retrying the same event ids on the same stream answers the first result and appends nothing', async () => {
  const store = open();
  const first = await store.append('pci-a', [event('e1'), event('e2')], 'no_stream');
  await store.append('pci-a', [event('e3')], 1);
  const before = await store.readAll();
  clock = new Date('2030-01-01T00:00:00.000Z');
  assert.equal(await store.append('pci-a', [event('e1'), event('e2')], 'no_stream'), first);
  assert.equal(await store.readAll(), before);
});

test('an event id already used on another stream is a conflict naming the stream', async () => {
  const store = open();
  await store.append('pci-a', [event('e1')], 'any');
  assert.match(await failure('conflict', () => store.append('pci-b', [event('e1')], 'any')), 'pci-b');
  assert.match(await failure('conflict', () => store.append('pci-a', [event('e9'), event('e1')], 'any')), 'pci-a');
  assert.equal(
    (await store.readAll()).map((e) => e.id),
    ['e1'],
  );
});

test('readAll pages with after and limit, and filters by type and stream prefix', async () => {
  const store = open();
  await store.append('pci-0000:03:00.0', [event('a1', 'DeviceDiscovered'), event('a2', 'Dom0AccessDisabled')], 'any');
  await store.append('host-h1', [event('h1', 'BootObserved')], 'any');
  await store.append(
    'pci-0000:04:00.0',
    [event('b1', 'DeviceDiscovered'), event('b2', 'Dom0AccessChangeFailed')],
    'any',
  );
  const ids = (events: { id: string }[]) => events.map((e) => e.id);
  const all = await store.readAll();
  assert.equal(ids(all), ['a1', 'a2', 'h1', 'b1', 'b2']);

  const page1 = await store.readAll({ limit: 2 });
  const page2 = await store.readAll({ after: page1.at(-1)!.position, limit: 2 });
  const page3 = await store.readAll({ after: page2.at(-1)!.position, limit: 2 });
  assert.equal([ids(page1), ids(page2), ids(page3)], [['a1', 'a2'], ['h1', 'b1'], ['b2']]);
  assert.equal(await store.readAll({ after: all.at(-1)!.position }), []);

  assert.equal(ids(await store.readAll({ types: ['DeviceDiscovered'] })), ['a1', 'b1']);
  assert.equal(ids(await store.readAll({ types: ['BootObserved', 'Dom0AccessChangeFailed'] })), ['h1', 'b2']);
  assert.equal(ids(await store.readAll({ streamPrefix: 'pci-' })), ['a1', 'a2', 'b1', 'b2']);
  assert.equal(ids(await store.readAll({ streamPrefix: 'pci-0000:04' })), ['b1', 'b2']);
  assert.equal(
    ids(await store.readAll({ streamPrefix: 'pci-', types: ['DeviceDiscovered'], after: all[0]!.position })),
    ['b1'],
  );
  assert.equal(ids(await store.readAll({ streamPrefix: '%' })), []);
});

test('events survive closing the store and opening the file again', async () => {
  const store = open();
  await store.append('pci-a', [event('e1'), event('e2')], 'no_stream');
  const before = await store.readAll();
  await store.close();
  const again = open();
  assert.equal(await again.readAll(), before);
  assert.is(await again.streamRevision('pci-a'), 1);
  assert.equal(await again.append('pci-a', [event('e3')], 1), { revision: 2, position: await again.headPosition() });
});

test('the events table refuses UPDATE and DELETE, even from outside the store', async () => {
  const store = open();
  await store.append('pci-a', [event('e1')], 'no_stream');
  await store.close();
  const db = new Database(path);
  try {
    assert.throws(() => db.prepare("UPDATE events SET type = 'Forged' WHERE id = 'e1'").run(), /append-only/);
    assert.throws(() => db.prepare("DELETE FROM events WHERE id = 'e1'").run(), /append-only/);
    assert.equal(db.prepare('SELECT id, type FROM events').all(), [{ id: 'e1', type: 'Dom0AccessDisabled' }]);
  } finally {
    db.close();
  }
});

test('a text file at the store path is a store failure that names the path', async () => {
  writeFileSync(path, 'this is not a database\n'.repeat(50));
  assert.match(await failure('store_failure', () => open()), `cannot open the event store at ${path}`);
});

test('random bytes at the store path are a store failure that names the path', async () => {
  writeFileSync(path, randomBytes(8192));
  assert.match(await failure('store_failure', () => open()), `cannot open the event store at ${path}`);
});

test('a database truncated to half its size is refused at open, not read short', async () => {
  const store = open();
  for (let i = 0; i < 200; i++)
    await store.append(`pci-${i % 5}`, [event(`e${i}`, 'Dom0AccessDisabled', { i, pad: 'x'.repeat(200) })], 'any');
  await store.close();
  truncateSync(path, Math.floor(statSync(path).size / 2));
  const message = await failure('store_failure', () => open());
  assert.match(message, `cannot open the event store at ${path}`);
  assert.match(message, /malformed/);
});

test.run();
