import { EventEmitter } from 'node:events';
import {
  DeadlineExceededError,
  END,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import type { AllSubscription, KurrentClient } from '../../../services/store/kurrentdb/client.ts';

/**
 * An in-memory KurrentDB as @kurrent/kurrentdb-client 1.3 shows one, written
 * from the client's types and documented behaviour: revisions and expected
 * states checked by the server, WrongExpectedVersionError with actualState
 * (or a `success: false` result when throwOnAppendFailure=false), a retry of
 * the same ids at the same expected revision answered as a success with no
 * position, StreamNotFoundError thrown while iterating, positions that are
 * byte offsets (not dense, commit shared by one write's events), reads of
 * `$all` that start on the event at their position, server-side filters, and
 * catch-up subscriptions that can end or fail. Faults a real server shows
 * under load or in a cluster are switches.
 */
export class FakeKurrentDb implements KurrentClient {
  readonly log: AllStreamRecordedEvent[] = [];
  throwOnAppendFailure = true;
  /** Reads not asking for the leader see a follower this many records behind it. */
  followerLag = 0;
  /** Calls that never answer, as from a hung server. */
  readonly hung = new Set<'append' | 'read' | 'subscribe'>();
  /** The next appends are written, then answered with a deadline error, as when the answer is lost. */
  lostAnswers = 0;
  /** The next calls fail with these errors before doing anything. */
  readonly failures: Error[] = [];
  /** Every read of `$all`, as asked. */
  readonly allReads: ReadAllOptions[] = [];
  /** Every append, as asked. */
  readonly appends: { stream: string; ids: string[] }[] = [];
  /** Reads started and not yet ended, by running out or by the caller. */
  openReads = 0;
  readonly subscriptions: FakeSubscription[] = [];
  disposed = false;
  private offset = 1024n;

  /** Writes an event as another application (or the server) would: any stream, any metadata. */
  writeRaw(stream: string, type: string, data: unknown, metadata?: unknown, isJson = true): AllStreamRecordedEvent {
    const [record] = this.write(stream, [{ id: crypto.randomUUID(), type, data, metadata, isJson }]);
    return record!;
  }

  appendToStream(stream: string, events: EventData[], options: AppendToStreamOptions): Promise<AppendResult> {
    return this.append(stream, events, options, this.throwOnAppendFailure);
  }

  /** Another client of the same server, as a connection string with throwOnAppendFailure=false makes one. */
  lenientClient(): KurrentClient {
    return {
      appendToStream: (stream, events, options) => this.append(stream, events, options, false),
      readStream: (stream, options) => this.readStream(stream, options),
      readAll: (options) => this.readAll(options),
      subscribeToAll: (options) => this.subscribeToAll(options),
      dispose: async () => undefined,
    };
  }

  /** A restart as clients see it: every subscription ends; the log stays. */
  restart(): void {
    for (const subscription of this.live) subscription.end();
  }

  private async append(
    stream: string,
    events: EventData[],
    options: AppendToStreamOptions,
    throwOnAppendFailure: boolean,
  ): Promise<AppendResult> {
    this.appends.push({ stream, ids: events.map((e) => e.id) });
    await this.answer('append');
    const state = options.streamState ?? 'any';
    const existing = this.log.filter((e) => e.streamId === stream);
    const current = existing.length ? existing[existing.length - 1]!.revision : null;
    const from = state === 'no_stream' ? 0n : typeof state === 'bigint' ? state + 1n : null;
    const already = from === null ? undefined : existing.find((e) => e.revision === from);
    if (already && events.every((e, i) => existing.find((r) => r.revision === from! + BigInt(i))?.id === e.id)) {
      return { success: true, nextExpectedRevision: from! + BigInt(events.length - 1), position: undefined };
    }
    const holds =
      state === 'any' ||
      (state === 'no_stream' && current === null) ||
      (state === 'stream_exists' && current !== null) ||
      state === current;
    if (!holds) {
      if (throwOnAppendFailure) {
        throw new WrongExpectedVersionError(undefined, {
          streamName: stream,
          expected: state,
          current: current ?? 'no_stream',
        });
      }
      return { success: false, nextExpectedRevision: current ?? -1n, position: undefined };
    }
    const written = this.write(
      stream,
      events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata, isJson: true })),
    );
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new DeadlineExceededError();
    }
    const first = written[0]!.position;
    return {
      success: true,
      nextExpectedRevision: written[written.length - 1]!.revision,
      position: { commit: first.commit, prepare: first.prepare },
    };
  }

  readStream(stream: string, options: ReadStreamOptions): AsyncIterableIterator<ResolvedEvent> {
    const visible = this.visible(options.requiresLeader);
    const fake = this;
    return this.counted(
      (async function* () {
        await fake.answer('read');
        const records = visible.filter((e) => e.streamId === stream);
        if (records.length === 0) throw new StreamNotFoundError(undefined, stream);
        const backwards = options.direction === 'backwards';
        const from = options.fromRevision ?? (backwards ? END : 'start');
        const ordered = backwards ? [...records].reverse() : records;
        const start =
          from === 'start' || from === END
            ? ordered
            : ordered.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
        yield* start.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)).map((event) => ({ event }));
      })(),
    );
  }

  readAll(options: ReadAllOptions): AsyncIterableIterator<AllStreamResolvedEvent> {
    this.allReads.push(options);
    const visible = this.visible(options.requiresLeader);
    const fake = this;
    return this.counted(
      (async function* () {
        await fake.answer('read');
        const backwards = options.direction === 'backwards';
        const from = options.fromPosition ?? (backwards ? END : 'start');
        let records = backwards ? [...visible].reverse() : visible;
        if (typeof from === 'object') {
          const last = visible[visible.length - 1];
          // The server refuses a read from inside a record; the client reports that as unknown.
          if (
            !visible.some((e) => e.position.prepare === from.prepare) &&
            last &&
            from.prepare < last.position.prepare
          ) {
            throw new UnknownError();
          }
          records = records.filter((e) =>
            backwards ? e.position.prepare < from.prepare : e.position.prepare >= from.prepare,
          );
        }
        const matching = records.filter((e) => matches(options.filter, e));
        yield* matching.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)).map((event) => ({ event }));
      })(),
    );
  }

  subscribeToAll(options: SubscribeToAllOptions): AllSubscription {
    const subscription = new FakeSubscription(options);
    this.subscriptions.push(subscription);
    const from = options.fromPosition;
    const backlog = this.log.filter((e) => typeof from !== 'object' || e.position.prepare > from.prepare);
    if (this.hung.has('subscribe')) return subscription;
    setImmediate(() => {
      subscription.emit('confirmation');
      if (from !== END) for (const event of backlog) subscription.deliver(event);
    });
    return subscription;
  }

  /** Subscriptions still open. */
  get live(): FakeSubscription[] {
    return this.subscriptions.filter((s) => s.open);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private write(
    stream: string,
    events: { id: string; type: string; data: unknown; metadata: unknown; isJson: boolean }[],
  ): AllStreamRecordedEvent[] {
    const existing = this.log.filter((e) => e.streamId === stream);
    let revision = existing.length ? existing[existing.length - 1]!.revision : -1n;
    const commit = this.offset;
    const written = events.map((e) => {
      revision += 1n;
      const record = {
        streamId: stream,
        id: e.id,
        revision,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        isJson: e.isJson,
        created: new Date(),
        position: { commit, prepare: this.offset },
      } as AllStreamRecordedEvent;
      // Offsets into a log of records of different sizes: positions are not dense.
      this.offset += 97n + BigInt(JSON.stringify(e.data ?? null).length);
      return record;
    });
    this.log.push(...written);
    for (const subscription of this.live) for (const event of written) subscription.deliver(event);
    return written;
  }

  private visible(requiresLeader: boolean | undefined): AllStreamRecordedEvent[] {
    return requiresLeader ? [...this.log] : this.log.slice(0, Math.max(0, this.log.length - this.followerLag));
  }

  private async answer(call: 'append' | 'read'): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (this.hung.has(call)) await new Promise(() => undefined);
  }

  private counted<T>(reading: AsyncGenerator<T>): AsyncIterableIterator<T> {
    this.openReads += 1;
    let ended = false;
    const end = () => {
      if (!ended) this.openReads -= 1;
      ended = true;
    };
    return {
      next: async () => {
        try {
          const next = await reading.next();
          if (next.done) end();
          return next;
        } catch (error) {
          end();
          throw error;
        }
      },
      return: async () => {
        end();
        return reading.return(undefined);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function matches(filter: Filter | undefined, event: AllStreamRecordedEvent): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? event.streamId : event.type;
  return 'regex' in filter
    ? new RegExp(filter.regex).test(subject)
    : filter.prefixes.some((p) => subject.startsWith(p));
}

export class FakeSubscription extends EventEmitter implements AllSubscription {
  open = true;

  constructor(readonly options: SubscribeToAllOptions) {
    super();
  }

  deliver(event: AllStreamRecordedEvent): void {
    if (this.open && matches(this.options.filter, event)) this.emit('data', { event });
  }

  /** The server ends the subscription cleanly (a restart, a node stepping down). */
  end(): void {
    this.open = false;
    this.emit('end');
    this.emit('close');
  }

  fail(error: Error): void {
    this.open = false;
    this.emit('error', error);
    this.emit('close');
  }

  async unsubscribe(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.emit('close');
  }
}
