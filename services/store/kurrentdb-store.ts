import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AppendStreamState,
  type Direction,
  type Filter,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent,
} from '@kurrent/kurrentdb-client';
import { invalidInput, PassthruError, storeFailure } from '../../domain/errors.ts';
import { appendOutcomeUnknown } from './append-outcome.ts';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.ts';
import { revisionConflict } from './expected-revision.ts';
import { feedCursor, notAnEventPosition } from './feed-cursor.ts';
import type { KurrentClient } from './kurrentdb/client.ts';
import { kurrentDbConnection, type KurrentDbConnection } from './kurrentdb/connection-string.ts';
import { readWithin, withDeadline } from './kurrentdb/deadline.ts';
import { describeFailure, isAccessDenied, isRefusal, leavesAppendUnknown } from './kurrentdb/failures.ts';
import { followPassthruEvents } from './kurrentdb/follow.ts';
import { KnownPositions } from './kurrentdb/known-positions.ts';
import { passthruStreamFilter, toPassthruEvent } from './kurrentdb/passthru-events.ts';
import { toPosition } from './kurrentdb/positions.ts';

/** Events asked of the server per read of `$all` when the caller sets no limit, and when looking for the newest. */
const FEED_BATCH = 500;
const HEAD_BATCH = 32;

function streamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The narrowest server-side filter the client can express; `keep` applies the rest. */
function feedFilter(options: ReadAllOptions): { filter: Filter; keep: (event: StoredEvent) => boolean } {
  const types = options.types?.length ? new Set(options.types) : null;
  const prefix = options.streamPrefix;
  const keep = (event: StoredEvent) =>
    (!types || types.has(event.type)) && (!prefix || event.stream.startsWith(prefix));
  if (prefix) return { filter: streamNameFilter({ prefixes: [prefix] }), keep };
  // Passthru's event types are its own, so the type filter is the narrower one; the stream check runs here.
  if (types) return { filter: eventTypeFilter({ regex: `^(?:${[...types].map(escapeRegex).join('|')})$` }), keep };
  return { filter: passthruStreamFilter(), keep };
}

/** The pool's store: one KurrentDB (cluster) that every host's service writes to and reads from. */
export class KurrentDbEventStore implements EventStore {
  private readonly deadlineMs: number;
  private readonly known = new KnownPositions();
  /** The connection string without credentials, for messages. */
  readonly endpoint: string;

  constructor(
    private readonly client: KurrentClient,
    connection: Pick<KurrentDbConnection, 'endpoint' | 'deadlineMs'>,
  ) {
    this.endpoint = connection.endpoint;
    this.deadlineMs = connection.deadlineMs;
  }

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const last = events[events.length - 1];
    if (!last) return Promise.reject(invalidInput(`an append to ${stream} needs at least one event`));
    return this.call(
      `append to ${stream}`,
      async () => {
        let result;
        try {
          // The server answers a retry of the same ids at the same expected revision as a success that writes nothing.
          result = await withDeadline(
            this.client.appendToStream(
              stream,
              events.map((e) =>
                jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata as JSONType }),
              ),
              { streamState: streamState(expected), requiresLeader: true },
            ),
            this.deadlineMs,
          );
        } catch (error) {
          if (error instanceof WrongExpectedVersionError) {
            throw revisionConflict(
              stream,
              expected,
              error.actualState === NO_STREAM ? null : Number(error.actualState),
            );
          }
          throw error;
        }
        // throwOnAppendFailure=false in a connection string turns a conflict into a result that says so.
        // Its revision is no answer: the batch append path reports BigInt(hasCurrentStreamRevision()), 1 or 0.
        if (!result.success) throw revisionConflict(stream, expected, await this.streamRevision(stream));
        const revision = Number(result.nextExpectedRevision);
        const own = result.position;
        if (events.length === 1 && own && own.commit === own.prepare)
          return { revision, position: toPosition(own.prepare) };
        // One position for a whole multi-event write, none for a deduplicated retry: the leader has the event's own.
        const stored = await this.eventAt(stream, revision);
        if (stored?.id !== last.id) {
          throw storeFailure(
            `KurrentDB at ${this.endpoint} acknowledged an append to ${stream}, but revision ${revision} holds ${stored ? `event ${stored.id}` : 'nothing'}, not event ${last.id}`,
            { endpoint: this.endpoint, stream, revision },
          );
        }
        return { revision, position: stored.position };
      },
      { write: true },
    );
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.call(`read ${stream}`, async () => {
      const events: StoredEvent[] = [];
      // From the leader: a follower behind it would hide an event a command is about to decide on (a boot already observed).
      await this.readStreamEvents(stream, { from: options.from ?? 0, limit: options.limit }, (event) => {
        const stored = toPassthruEvent(event);
        if (stored) events.push(stored);
      });
      return events;
    });
  }

  streamRevision(stream: string): Promise<number | null> {
    return this.call(`read ${stream}`, async () => {
      let revision: number | null = null;
      try {
        // From the leader: a follower behind it would have the next append conflict for nothing.
        const reading = this.client.readStream(stream, {
          direction: BACKWARDS,
          fromRevision: END,
          maxCount: 1,
          requiresLeader: true,
        });
        await readWithin(reading, this.deadlineMs, ({ event }) => {
          if (event) revision = Number(event.revision);
          return !event;
        });
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      return revision;
    });
  }

  readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.call('read $all', async () => {
      const after = feedCursor(options.after);
      const from = after === 0 ? START : await this.eventPosition(after);
      const limit = options.limit ?? Infinity;
      const { filter, keep } = feedFilter(options);
      const events: StoredEvent[] = [];
      let lastCommit: bigint | null = null;
      let end: Position | null = null;
      // Room for the event at `after` itself, which the read starts on, and one past the page.
      const batch = Number.isFinite(limit) ? Math.min(limit + 2, FEED_BATCH) : FEED_BATCH;
      await this.scan(from, FORWARDS, filter, batch, (event) => {
        const stored = toPassthruEvent(event);
        if (!stored || !keep(stored) || stored.position <= after) return true;
        // A page never ends inside one append: resuming from an event whose commit it shares would skip the rest.
        if (events.length >= limit && event.position.commit !== lastCommit) return false;
        events.push(stored);
        lastCommit = event.position.commit;
        end = event.position;
        return true;
      });
      const last = events[events.length - 1];
      if (last && end) this.known.remember(last.position, end);
      return events;
    });
  }

  headPosition(): Promise<number> {
    return this.call('read $all', () => this.head());
  }

  /**
   * The start-up check: reads the head. Reads come through the client's
   * native bridge, which reports refused credentials and denied access alike,
   * without a gRPC code; a subscription, over gRPC, keeps the code that tells
   * them apart.
   */
  check(): Promise<void> {
    return this.call('read $all', async () => {
      try {
        await this.head();
      } catch (error) {
        if (!isAccessDenied(error as Error)) throw error;
        const refusal = await this.subscriptionRefusal();
        throw refusal && isRefusal(refusal) ? refusal : error;
      }
    });
  }

  follow(after: number, onEvent: () => void): { close(): Promise<void> } {
    const cursor = feedCursor(after);
    const start = async (): Promise<ReadPosition> => {
      if (cursor === 0) return START;
      try {
        return await this.call('read $all', () => this.eventPosition(cursor));
      } catch (error) {
        if (!(error instanceof PassthruError && error.kind === 'invalid_input')) throw error;
        // Not an event: the reader's own read from its position says so; follow what comes next.
        onEvent();
        return END;
      }
    };
    return followPassthruEvents(this.client, this.deadlineMs, start, onEvent);
  }

  async close(): Promise<void> {
    await withDeadline(this.client.dispose(), this.deadlineMs).catch(() => undefined);
  }

  private async head(): Promise<number> {
    let head = 0;
    await this.scan(END, BACKWARDS, passthruStreamFilter(), HEAD_BATCH, (event) => {
      const stored = toPassthruEvent(event);
      if (stored) head = stored.position;
      return !stored;
    });
    return head;
  }

  /** The error a subscription to passthru's events fails with within the deadline, or null once it is confirmed. */
  private async subscriptionRefusal(): Promise<Error | null> {
    const subscription = this.client.subscribeToAll({ fromPosition: END, filter: passthruStreamFilter() });
    try {
      return await withDeadline(
        new Promise<Error | null>((resolve) => {
          subscription.on('error', resolve);
          subscription.on('confirmation', () => resolve(null));
        }),
        this.deadlineMs,
      );
    } catch {
      return null;
    } finally {
      void withDeadline(subscription.unsubscribe(), this.deadlineMs).catch(() => undefined);
    }
  }

  /** The event at one revision, read from the leader (as every stream read), which has every acknowledged write. */
  private async eventAt(stream: string, revision: number): Promise<StoredEvent | null> {
    let found: StoredEvent | null = null;
    await this.readStreamEvents(stream, { from: revision, limit: 1 }, (event) => {
      found = toPassthruEvent(event);
    });
    return found;
  }

  private async readStreamEvents(
    stream: string,
    options: { from: number; limit: number | undefined },
    visit: (event: RecordedEvent) => void,
  ): Promise<void> {
    try {
      const reading = this.client.readStream(stream, {
        fromRevision: BigInt(options.from),
        requiresLeader: true,
        ...(options.limit === undefined ? {} : { maxCount: options.limit }),
      });
      await readWithin(reading, this.deadlineMs, ({ event }) => {
        if (event) visit(event);
        return true;
      });
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
  }

  /**
   * The full position of the event whose prepare position is `after`. A
   * cursor this store did not give out is sent to the server only here, as the
   * start of a one-event read; the page is then read from the position the
   * server answered with.
   */
  private async eventPosition(after: number): Promise<Position> {
    const known = this.known.get(after);
    if (known) return known;
    let found: Position | null = null;
    try {
      const at = BigInt(after);
      await readWithin(
        this.client.readAll({ fromPosition: { commit: at, prepare: at }, maxCount: 1 }),
        this.deadlineMs,
        ({ event }) => {
          if (event?.position.prepare === at) found = event.position;
          return false;
        },
      );
    } catch (error) {
      // The server refuses a read from inside a record, which the bridge reports as unavailable: a server that
      // answers a read from the start is there, and it is the cursor that is wrong.
      if (error instanceof UnavailableError && (await this.answers())) throw notAnEventPosition(after);
      throw error;
    }
    if (!found) throw notAnEventPosition(after);
    return found;
  }

  /** Whether the server answers a one-event read of `$all` from its start within the deadline. */
  private async answers(): Promise<boolean> {
    try {
      await readWithin(this.client.readAll({ fromPosition: START, maxCount: 1 }), this.deadlineMs, () => false);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads `$all` in reads of `batch` events, each within the deadline, until
   * `visit` says stop or the log ends. Each read starts on the event the one
   * before ended with, which the server answers again and this skips.
   */
  private async scan(
    from: ReadPosition,
    direction: Direction,
    filter: Filter,
    batch: number,
    visit: (event: AllStreamRecordedEvent) => boolean,
  ): Promise<void> {
    let seen: bigint | null = null;
    const isNew = (prepare: bigint) => seen === null || (direction === FORWARDS ? prepare > seen : prepare < seen);
    for (let start = from; ;) {
      let received = 0;
      let last: Position | null = null;
      let stopped = false;
      await readWithin(
        this.client.readAll({ fromPosition: start, direction, filter, maxCount: batch }),
        this.deadlineMs,
        ({ event }) => {
          received += 1;
          if (!event?.position || !isNew(event.position.prepare)) return true;
          last = event.position;
          seen = event.position.prepare;
          stopped = !visit(event);
          return !stopped;
        },
      );
      if (stopped || received < batch || last === null) return;
      start = last;
    }
  }

  private async call<T>(what: string, operation: () => Promise<T>, { write = false } = {}): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof PassthruError) throw error;
      const reason = describeFailure(error as Error, this.deadlineMs);
      const message = `KurrentDB at ${this.endpoint}: ${what} failed: ${reason}`;
      const details = { endpoint: this.endpoint, reason };
      if (write && leavesAppendUnknown(error as Error)) {
        throw appendOutcomeUnknown(
          `${message}; it may have been written (a retry with the same event ids is safe)`,
          details,
        );
      }
      throw storeFailure(message, details);
    }
  }
}

/** Builds the client from a connection string; tests give a fake one. */
export type ConnectKurrentDb = (connectionString: string) => KurrentClient;

const connectReal: ConnectKurrentDb = (connectionString) => KurrentDBClient.connectionString(connectionString);

/** Connects and reads once within the deadline, so a wrong address, a hung server or refused credentials fail here, clearly. */
export async function openKurrentDbStore(
  setting: string,
  connect: ConnectKurrentDb = connectReal,
): Promise<KurrentDbEventStore> {
  const connection = kurrentDbConnection(setting);
  let client: KurrentClient;
  try {
    client = connect(connection.connectionString);
  } catch (error) {
    throw invalidInput(
      `PASSTHRU_STORE is not a usable KurrentDB connection string (${connection.endpoint}): ${(error as Error).message}`,
    );
  }
  const store = new KurrentDbEventStore(client, connection);
  try {
    await store.check();
  } catch (error) {
    await store.close();
    const { reason } = (error as PassthruError).details;
    throw storeFailure(
      `cannot use the KurrentDB store at ${connection.endpoint}: ${String(reason ?? (error as Error).message)}`,
      { endpoint: connection.endpoint },
    );
  }
  return store;
}
