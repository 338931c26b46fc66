import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { deviceStream, hostStream, tokenStream } from '../../projections/streams.ts';
import { Recorder } from '../../services/write/recorder.ts';
import type { EventStore, ExpectedRevision, NewEvent, StoredEvent } from '../../services/store/event-store.ts';

export interface ContractOptions {
  /**
   * Whether an event id is unique in the whole store. SQLite enforces it;
   * KurrentDB deduplicates ids only within a stream, so it opts out.
   */
  readonly idsUniqueAcrossStreams: boolean;
  /** What only a server store offers: the cases that need one run when it is given. */
  readonly server?: ServerHooks;
}

export interface ServerHooks {
  /** Writes an event the way another application sharing the database would. */
  writeForeign(stream: string, type: string): Promise<number>;
  /** Opens the same store with more connection-string options (`defaultDeadline=1`). */
  openWith(options: string): Promise<EventStore>;
  /** Restarts the server (PASSTHRU_TEST_KURRENTDB_RESTART), when the run has a way to. */
  readonly restart?: () => Promise<void>;
  /** Opens a secure node's store as a user who is no admin (PASSTHRU_TEST_KURRENTDB_USER). */
  readonly openAsUser?: () => Promise<EventStore>;
}

/** Waits for what a subscription delivers by itself; the limit is a safety net far above the time it takes. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition();) {
    if (Date.now() - started > 30_000) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Context {
  store: EventStore;
  /**
   * Stream names unique to this test, since a server store is shared with
   * other runs; shaped as passthru's host streams, the only ones a store reads.
   */
  prefix: string;
}

const event = (type = 'Thing', data: Record<string, unknown> = { n: 1 }): NewEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: { at: '2025-01-01T00:00:00.000Z', actor: 'contract', correlation_id: randomUUID(), host: 'contract-host' },
});

async function rejected(attempt: Promise<unknown>): Promise<PassthruError> {
  try {
    await attempt;
  } catch (error) {
    assert.instance(error, PassthruError);
    return error as PassthruError;
  }
  assert.unreachable('expected a rejection');
  throw new Error('unreachable');
}

const identity = (e: StoredEvent) => [e.id, e.stream, e.revision, e.type];

/** Registers the event store contract that every adapter must pass, against real stores only. */
export function storeContract(name: string, open: () => Promise<EventStore>, options: ContractOptions): void {
  const test = suite<Context>(`event store contract: ${name}`);
  test.before.each(async (context) => {
    context.store = await open();
    context.prefix = `host-contract${randomUUID().slice(0, 8)}-`;
  });
  test.after.each(({ store }) => store.close());

  test('appended events read back as written, in order, with revisions and positions', async ({ store, prefix }) => {
    const stream = `${prefix}a`;
    const written = [
      event('Created', { name: 'x', nested: { list: [1, 'two', null] } }),
      event('Renamed', { name: 'y' }),
    ];
    const result = await store.append(stream, written, 'no_stream');
    const read = await store.readStream(stream);
    assert.equal(
      read.map((e) => [e.id, e.stream, e.revision, e.type, e.data, e.metadata]),
      written.map((e, i) => [e.id, stream, i, e.type, e.data, e.metadata]),
    );
    assert.ok(read.every((e) => !Number.isNaN(Date.parse(e.stored_at))));
    assert.ok(read[0]!.position < read[1]!.position);
    assert.equal(result, { revision: 1, position: read[1]!.position });
    assert.is(await store.streamRevision(stream), 1);
    assert.equal(
      (await store.readStream(stream, { from: 1 })).map((e) => e.id),
      [written[1]!.id],
    );
    assert.equal(
      (await store.readStream(stream, { limit: 1 })).map((e) => e.id),
      [written[0]!.id],
    );
    assert.ok((await store.headPosition()) >= result.position);
  });

  test('a missing stream reads as empty, with no revision', async ({ store, prefix }) => {
    assert.equal(await store.readStream(`${prefix}missing`), []);
    assert.is(await store.streamRevision(`${prefix}missing`), null);
  });

  test('every form of expected revision is accepted where it holds', async ({ store, prefix }) => {
    const accepted: [string, ExpectedRevision][] = [
      [`${prefix}s`, 'no_stream'],
      [`${prefix}s`, 0],
      [`${prefix}s`, 'stream_exists'],
      [`${prefix}s`, 'any'],
      [`${prefix}t`, 'any'],
    ];
    for (const [stream, expected] of accepted) await store.append(stream, [event()], expected);
    assert.is(await store.streamRevision(`${prefix}s`), 3);
    assert.is(await store.streamRevision(`${prefix}t`), 0);
  });

  test('every form of expected revision is rejected as a conflict where it does not hold', async ({
    store,
    prefix,
  }) => {
    const stream = `${prefix}s`;
    await store.append(stream, [event(), event()], 'no_stream');
    const refused: [string, ExpectedRevision][] = [
      [stream, 'no_stream'],
      [stream, 0],
      [stream, 2],
      [`${prefix}missing`, 'stream_exists'],
      [`${prefix}missing`, 0],
    ];
    for (const [name, expected] of refused) {
      const error = await rejected(store.append(name, [event()], expected));
      assert.is(error.kind, 'conflict', `${name} at ${expected}`);
      assert.match(error.message, name);
    }
    assert.is(await store.streamRevision(stream), 1);
    assert.is(await store.streamRevision(`${prefix}missing`), null);
  });

  test('a retry of the same event ids answers as the first append and appends nothing', async ({ store, prefix }) => {
    const stream = `${prefix}r`;
    const first = [event()];
    const answer = await store.append(stream, first, 'no_stream');
    assert.equal(await store.append(stream, first, 'no_stream'), answer);
    const batch = [event(), event()];
    const batchAnswer = await store.append(stream, batch, 0);
    assert.equal(await store.append(stream, batch, 0), batchAnswer);
    assert.equal(
      (await store.readStream(stream)).map((e) => e.id),
      [...first, ...batch].map((e) => e.id),
    );
  });

  if (options.idsUniqueAcrossStreams) {
    test('an event id already used on another stream is a conflict', async ({ store, prefix }) => {
      const reused = event();
      await store.append(`${prefix}one`, [reused], 'no_stream');
      const error = await rejected(store.append(`${prefix}two`, [reused], 'no_stream'));
      assert.is(error.kind, 'conflict');
      assert.is(await store.streamRevision(`${prefix}two`), null);
    });
  }

  test('the global feed is in append order across streams, and filters by stream prefix and type', async ({
    store,
    prefix,
  }) => {
    const order: [string, NewEvent][] = [
      [`${prefix}x`, event('A')],
      [`${prefix}y`, event('B')],
      [`${prefix}x`, event('B')],
      [`${prefix}z`, event('A')],
      [`${prefix}y`, event('A')],
    ];
    for (const [stream, e] of order) await store.append(stream, [e], 'any');
    const feed = await store.readAll({ streamPrefix: prefix });
    assert.equal(
      feed.map((e) => [e.stream, e.id]),
      order.map(([stream, e]) => [stream, e.id]),
    );
    const positions = feed.map((e) => e.position);
    assert.ok(
      positions.every((p, i) => i === 0 || p > positions[i - 1]!),
      'positions strictly increase',
    );
    assert.equal(
      (await store.readAll({ streamPrefix: `${prefix}x` })).map(identity),
      feed.filter((e) => e.stream === `${prefix}x`).map(identity),
    );
    assert.equal(
      (await store.readAll({ streamPrefix: prefix, types: ['B'] })).map(identity),
      feed.filter((e) => e.type === 'B').map(identity),
    );
    const typed = await store.readAll({ types: ['A'] });
    assert.equal(
      typed.filter((e) => e.stream.startsWith(prefix)).map(identity),
      feed.filter((e) => e.type === 'A').map(identity),
    );
  });

  test('the feed pages with after and limit, without loss or repetition, across multi-event appends', async ({
    store,
    prefix,
  }) => {
    await store.append(`${prefix}p`, [event(), event(), event()], 'no_stream');
    for (let i = 0; i < 4; i++) await store.append(`${prefix}q`, [event()], 'any');
    await store.append(`${prefix}p`, [event(), event()], 2);
    const whole = await store.readAll({ streamPrefix: prefix });
    assert.is(whole.length, 9);
    const paged: StoredEvent[] = [];
    for (let after = 0, pages = 0; ; pages++) {
      assert.ok(pages < 20, 'paging ends');
      const page = await store.readAll({ streamPrefix: prefix, after, limit: 2 });
      if (page.length === 0) break;
      paged.push(...page);
      after = page[page.length - 1]!.position;
    }
    assert.equal(paged.map(identity), whole.map(identity));
    const single = await store.readAll({ streamPrefix: prefix, after: whole[3]!.position, limit: 1 });
    assert.equal(
      single.map((e) => e.id),
      [whole[4]!.id],
    );
  });

  test('concurrent appenders at one revision of one stream: exactly one wins, the rest conflict', async ({
    store,
    prefix,
  }) => {
    const stream = `${prefix}race`;
    for (let revision = -1; revision < 3; revision++) {
      const expected: ExpectedRevision = revision < 0 ? 'no_stream' : revision;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => store.append(stream, [event()], expected)),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      assert.is(won.length, 1, `one winner at ${expected}`);
      for (const lost of outcomes.filter((o) => o.status === 'rejected')) {
        assert.is((lost.reason as PassthruError).kind, 'conflict');
      }
    }
    assert.equal(
      (await store.readStream(stream)).map((e) => e.revision),
      [0, 1, 2, 3],
    );
  });

  test('concurrent appenders on different streams all land', async ({ store, prefix }) => {
    const appends = Array.from({ length: 12 }, (_, i) => ({ stream: `${prefix}c${i}`, event: event() }));
    await Promise.all(appends.map((a) => store.append(a.stream, [a.event], 'no_stream')));
    const feed = await store.readAll({ streamPrefix: prefix });
    assert.equal(new Set(feed.map((e) => e.id)), new Set(appends.map((a) => a.event.id)));
  });

  test('a small-page read over a large feed returns every event once, in order', async ({ store, prefix }) => {
    const written: string[] = [];
    for (let i = 0; i < 30; i++) {
      const batch = [event(), event(), event()].slice(0, 1 + (i % 3));
      await store.append(`${prefix}big${i % 4}`, batch, 'any');
      written.push(...batch.map((e) => e.id));
    }
    const paged: string[] = [];
    for (let after = 0, pages = 0; ; pages++) {
      assert.ok(pages < 100, 'paging ends');
      const page = await store.readAll({ streamPrefix: prefix, after, limit: 4 });
      if (page.length === 0) break;
      assert.ok(page.length <= 6, 'a page holds what was asked, at most the rest of one append more');
      paged.push(...page.map((e) => e.id));
      after = page[page.length - 1]!.position;
    }
    assert.equal(paged, written);
  });

  test('an append retried after an answer that did not come lands exactly once', async ({ store, prefix }) => {
    const stream = `${prefix}unknown`;
    const written = [event()];
    // On a server, a deadline far too short leaves the first attempt's outcome unknown; the embedded store always answers.
    const hasty = options.server ? await options.server.openWith('defaultDeadline=1') : store;
    try {
      const first = await hasty.append(stream, written, 'no_stream').catch((error: PassthruError) => error);
      if (first instanceof PassthruError) assert.is(first.details.outcome, 'unknown', first.message);
    } finally {
      if (hasty !== store) await hasty.close();
    }
    const retried = await store.append(stream, written, 'no_stream');
    const stored = await store.readStream(stream);
    assert.equal(
      stored.map((e) => e.id),
      written.map((e) => e.id),
    );
    assert.equal(retried, { revision: 0, position: stored[0]!.position });
  });

  test('every stream the recorder writes reads back, reaches the feed, the head and follow, and takes a retry', async ({
    store,
  }) => {
    const host = `contract${randomUUID().slice(0, 8)}`;
    const pci = parsePciAddress('0000:03:00.0');
    const recorder = new Recorder(store, host, () => new Date('2025-01-01T00:00:00Z'));
    const context = { actor: 'contract', correlationId: randomUUID() };
    const start = await store.headPosition();
    const appended = [
      await recorder.appendToDevice(
        pci,
        {
          type: 'Dom0AccessDisabled',
          data: { pci, status: 'disabled_on_reboot', previous: 'enabled', cause: 'command', via: 'pci' },
        },
        context,
      ),
      await recorder.appendToHost(
        {
          type: 'BootObserved',
          data: { boot_id: 'b', previous_boot_id: null, current: [], pending: [], claimed: [], not_claimed: [] },
        },
        context,
      ),
    ];
    let wakes = 0;
    const following = store.follow?.(appended[1]!.position, () => (wakes += 1));
    appended.push(
      await recorder.appendToTokens(
        { type: 'TokenIssued', data: { name: 'ci', role: 'operator' } },
        context,
        () => undefined,
      ),
    );
    const streams = [deviceStream(host, pci), hostStream(host), tokenStream(host)];
    const stored = await Promise.all(streams.map(async (stream) => (await store.readStream(stream))[0]));
    assert.equal(
      stored.map((e) => e && [e.stream, e.type, e.position]),
      streams.map((stream, i) => [stream, appended[i]!.type, appended[i]!.position]),
    );
    assert.equal(
      (await store.readAll({ after: start })).filter((e) => streams.includes(e.stream)).map((e) => e.stream),
      streams,
    );
    assert.ok((await store.headPosition()) >= appended[2]!.position, 'the head is at or past the token event');
    await eventually(() => !following || wakes > 0, 'woken by the token event');
    await following?.close();
    const token = stored[2]!;
    assert.equal(await store.append(token.stream, [token], 'no_stream'), { revision: 0, position: token.position });
  });

  test('an after that is not an event position is bad input', async ({ store, prefix }) => {
    const { position } = await store.append(`${prefix}cursor`, [event()], 'no_stream');
    for (const after of [-1, 0.5, 2 ** 60]) {
      assert.is((await rejected(store.readAll({ after }))).kind, 'invalid_input', String(after));
    }
    assert.equal(await store.readAll({ streamPrefix: prefix, after: position }), []);
  });

  const server = options.server;
  if (server) {
    test('events of other applications and the server reach no feed, head position or follow', async ({
      store,
      prefix,
    }) => {
      const wakes: number[] = [];
      const following = store.follow?.(await store.headPosition(), () => wakes.push(1));
      const ours = await store.append(`${prefix}a`, [event()], 'no_stream');
      await eventually(() => !following || wakes.length > 0, 'woken by a passthru event');
      wakes.length = 0;
      const theirs = await server.writeForeign(`orders-${prefix}`, 'OrderPlaced');
      assert.is(await store.headPosition(), ours.position);
      assert.equal(await store.readAll({ after: ours.position }), []);
      assert.ok(theirs > ours.position);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.is(wakes.length, 0, 'no wake-up for a foreign event');
      await following?.close();
    });

    test('with throwOnAppendFailure=false a conflict is still a conflict', async ({ prefix }) => {
      const lenient = await server.openWith('throwOnAppendFailure=false');
      try {
        const stream = `${prefix}lenient`;
        await lenient.append(stream, [event()], 'no_stream');
        const error = await rejected(lenient.append(stream, [event()], 'no_stream'));
        assert.is(error.kind, 'conflict');
        assert.is(await lenient.streamRevision(stream), 0);
      } finally {
        await lenient.close();
      }
    });

    if (server.restart) {
      const restart = server.restart;
      test('follow wakes for an append after the server restarted', async ({ store, prefix }) => {
        let wakes = 0;
        const following = store.follow!(await store.headPosition(), () => (wakes += 1));
        await restart();
        for (let tries = 0; ; tries++) {
          try {
            await store.append(`${prefix}restart`, [event()], 'any');
            break;
          } catch (error) {
            if (tries > 30) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1000));
          }
        }
        await eventually(() => wakes > 0, 'woken after the restart');
        await following.close();
      });
    }

    if (server.openAsUser) {
      const openAsUser = server.openAsUser;
      test('a user who is no admin, on a secure node, appends, reads the feed and follows it', async ({ prefix }) => {
        const user = await openAsUser();
        try {
          let wakes = 0;
          const following = user.follow!(await user.headPosition(), () => (wakes += 1));
          const stream = `${prefix}user`;
          const { position } = await user.append(stream, [event()], 'no_stream');
          assert.is(await user.streamRevision(stream), 0);
          assert.equal(
            (await user.readAll({ streamPrefix: stream })).map((e) => e.position),
            [position],
          );
          await eventually(() => wakes > 0, 'woken');
          await following.close();
        } finally {
          await user.close();
        }
      });
    }
  }

  test.run();
}
