import { EventEmitter } from 'node:events';
import { Metadata, status } from '@grpc/grpc-js';
import {
  AccessDeniedError,
  DeadlineExceededError,
  END,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  WrongExpectedVersionError,
  convertToCommandError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type Filter,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';
import { convertBridgeError } from '@kurrent/kurrentdb-client/dist/utils/convertBridgeError.js';
import type { AllSubscription, KurrentClient } from '../../../services/store/kurrentdb/client.ts';

/** The names the native read bridge (@kurrent/bridge 0.2.2) gives its errors; it sets no gRPC code. */
export type BridgeFault =
  | 'UnavailableError'
  | 'StreamNotFoundError'
  | 'StreamDeletedError'
  | 'AccessDeniedError'
  | 'DeadlineExceededError'
  | 'NotLeaderError'
  | 'UnknownError';

/** A read's failure as the client throws it: the bridge's named Error (message: its name), through the client's own conversion. */
export function bridgeFailure(name: BridgeFault, stream?: string): Error {
  const metadata = name === 'NotLeaderError' ? { 'leader-endpoint-host': 'node2', 'leader-endpoint-port': 2113 } : {};
  return convertBridgeError(Object.assign(new Error(name), { name, metadata }), stream);
}

/** An append's failure as the gRPC path throws it: a status with its code, through the client's own conversion. */
export function grpcFailure(code: status, details: string, exception?: string): Error {
  const metadata = new Metadata();
  if (exception) metadata.set('exception', exception);
  return convertToCommandError(
    Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata }),
  );
}

/**
 * An in-memory KurrentDB as @kurrent/kurrentdb-client 1.3.1 (its gRPC
 * batchAppend path, its native read bridge @kurrent/bridge 0.2.2) shows one,
 * checked against that version's source: revisions and expected states
 * checked by the server, WrongExpectedVersionError with actualState, or with
 * throwOnAppendFailure=false a `success: false` result whose revision is the
 * client's BigInt(hasCurrentStreamRevision()): 1 for any stream that exists,
 * 0 for one that does not; a retry of the same ids at the same expected
 * revision answered as a success with the last event's position; each event
 * of one append its own prepare position (the commit shared) and the answer
 * the last one's; reads failing with the bridge's named errors (no gRPC code:
 * bad credentials and denied access are both AccessDeniedError), a read from
 * a position inside a record failing as unavailable, an iterator whose
 * return() waits for a pending answer rather than cancelling it; tombstoned
 * streams and the maximum append size failing as the append path reports
 * them (errors with no message); server-side filters, and catch-up
 * subscriptions that can end or fail. Faults a real server shows under load
 * or in a cluster are switches.
 */
export class FakeKurrentDb implements KurrentClient {
  readonly log: AllStreamRecordedEvent[] = [];
  throwOnAppendFailure = true;
  /** Reads not asking for the leader see a follower this many records behind it. */
  followerLag = 0;
  /** Calls that never answer, as from a hung server. */
  readonly hung = new Set<'append' | 'read' | 'subscribe' | 'unsubscribe'>();
  /** The next appends are written, then answered with a deadline error, as when the answer is lost. */
  lostAnswers = 0;
  /** The next reads fail with these bridge errors before reading anything. */
  readonly readFailures: BridgeFault[] = [];
  /** The next appends fail with these errors (as the gRPC path throws them) before writing anything. */
  readonly appendFailures: Error[] = [];
  /** What the connection string's user gets: refused credentials, or no rights to passthru's streams and `$all`. */
  access: 'granted' | 'bad credentials' | 'denied' = 'granted';
  /** The server's maxAppendSize, in bytes of event data. */
  maxAppendSize = Number.MAX_SAFE_INTEGER;
  readonly tombstoned = new Set<string>();
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
    const failure = this.appendFailures.shift();
    if (failure) throw failure;
    if (this.hung.has('append')) await new Promise(() => undefined);
    if (this.access === 'bad credentials') throw grpcFailure(status.UNAUTHENTICATED, 'Bad HTTP status code: 401');
    if (this.access === 'denied') throw new AccessDeniedError();
    if (this.tombstoned.has(stream)) throw StreamDeletedError.fromStreamName(stream);
    const size = events.reduce((total, e) => total + JSON.stringify(e.data).length, 0);
    if (size > this.maxAppendSize) throw MaxAppendSizeExceededError.fromMaxAppendSize(this.maxAppendSize);
    const state = options.streamState ?? 'any';
    const existing = this.log.filter((e) => e.streamId === stream);
    const current = existing.length ? existing[existing.length - 1]!.revision : null;
    const from = state === 'no_stream' ? 0n : typeof state === 'bigint' ? state + 1n : null;
    const retried = from === null ? [] : events.map((e, i) => existing.find((r) => r.revision === from + BigInt(i)));
    if (retried.length && retried.every((r, i) => r?.id === events[i]!.id)) {
      const last = retried[retried.length - 1]!;
      return { success: true, nextExpectedRevision: last.revision, position: { ...last.position } };
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
      return { success: false, nextExpectedRevision: BigInt(current !== null), position: undefined };
    }
    const written = this.write(
      stream,
      events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata, isJson: true })),
    );
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new DeadlineExceededError();
    }
    const last = written[written.length - 1]!;
    return { success: true, nextExpectedRevision: last.revision, position: { ...last.position } };
  }

  readStream(stream: string, options: ReadStreamOptions): AsyncIterableIterator<ResolvedEvent> {
    const visible = this.visible(options.requiresLeader);
    const fake = this;
    return this.counted(
      (async function* () {
        await fake.answer(stream);
        if (fake.tombstoned.has(stream)) throw bridgeFailure('StreamDeletedError', stream);
        const records = visible.filter((e) => e.streamId === stream);
        if (records.length === 0) throw bridgeFailure('StreamNotFoundError', stream);
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
        await fake.answer();
        const backwards = options.direction === 'backwards';
        const from = options.fromPosition ?? (backwards ? END : 'start');
        let records = backwards ? [...visible].reverse() : visible;
        if (typeof from === 'object') {
          const last = visible[visible.length - 1];
          // The server refuses a read from inside a record; the bridge reports that as unavailable.
          if (
            !visible.some((e) => e.position.prepare === from.prepare) &&
            last &&
            from.prepare < last.position.prepare
          ) {
            throw bridgeFailure('UnavailableError');
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
    const subscription = new FakeSubscription(options, this.hung.has('unsubscribe'));
    this.subscriptions.push(subscription);
    const from = options.fromPosition;
    const backlog = this.log.filter((e) => typeof from !== 'object' || e.position.prepare > from.prepare);
    if (this.hung.has('subscribe')) return subscription;
    // A subscription is a gRPC call: its refusal keeps the status code that reads through the bridge lose.
    const refusal =
      this.access === 'bad credentials'
        ? grpcFailure(status.UNAUTHENTICATED, 'Bad HTTP status code: 401')
        : this.access === 'denied'
          ? grpcFailure(status.PERMISSION_DENIED, 'Access Denied', 'access-denied')
          : null;
    setImmediate(() => {
      if (refusal) return subscription.fail(refusal);
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

  private async answer(stream?: string): Promise<void> {
    const failure = this.readFailures.shift();
    if (failure) throw bridgeFailure(failure, stream);
    if (this.hung.has('read')) await new Promise(() => undefined);
    if (this.access !== 'granted') throw bridgeFailure('AccessDeniedError', stream);
  }

  /** A hard delete: the stream can never be written or read again. */
  tombstone(stream: string): void {
    this.tombstoned.add(stream);
  }

  /**
   * Counts the read as open from its first next() until its generator ends.
   * An async generator's return() waits behind a pending next(), as the
   * client's own (an async generator over the bridge's iterator) does: it
   * does not cancel a read still waiting for the server.
   */
  private counted<T>(reading: AsyncGenerator<T>): AsyncGenerator<T> {
    const fake = this;
    return (async function* () {
      fake.openReads += 1;
      try {
        yield* reading;
      } finally {
        fake.openReads -= 1;
      }
    })();
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

  constructor(
    readonly options: SubscribeToAllOptions,
    /** Its unsubscribe never answers, as over a connection the server stopped answering. */
    private readonly unsubscribeHangs = false,
  ) {
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
    if (this.unsubscribeHangs) await new Promise(() => undefined);
    if (!this.open) return;
    this.open = false;
    this.emit('close');
  }
}
