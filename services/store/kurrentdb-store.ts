import {
  ANY,
  BACKWARDS,
  END,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamSubscription,
  type AppendStreamState,
  type Filter,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent,
} from '@kurrent/kurrentdb-client';
import { invalidInput, PassthruError, storeFailure } from '../../domain/errors.ts';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
} from './event-store.ts';
import { revisionConflict } from './expected-revision.ts';

/** Short, so an unreachable server is a clear error in seconds rather than a hung request. */
const DEFAULT_DEADLINE_MS = 5000;
const RESUBSCRIBE_MS = 1000;

/**
 * Port positions are numbers; KurrentDB's are bigint byte offsets in its
 * transaction log. A number holds them exactly below 2^53 (8 PiB of log), far
 * beyond any pool's audit trail, so we convert and refuse anything larger.
 * We use the prepare position, the event's own offset: every event of one
 * multi-event append shares its commit position, so only the prepare position
 * is strictly increasing per event. For a single-event append (all passthru
 * writes) the two are equal.
 */
function toNumber(offset: bigint): number {
  if (offset > BigInt(Number.MAX_SAFE_INTEGER) || offset < 0n) {
    throw storeFailure(`KurrentDB position ${offset} is outside what passthru can address`);
  }
  return Number(offset);
}

/** Reading from the offset of an event we returned starts at that event, which readAll then skips. */
const positionAt = (after: number): ReadPosition =>
  after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START;

function streamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  return BigInt(expected);
}

function toStored(event: RecordedEvent): StoredEvent {
  if (!event.position)
    throw storeFailure('KurrentDB returned an event without its position: passthru needs server 22.6 or later');
  return {
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: toNumber(event.position.prepare),
    type: event.type,
    data: event.data,
    metadata: event.metadata as EventMetadata,
    stored_at: event.created.toISOString(),
  };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The narrowest server-side filter the client can express; `keep` applies the rest. */
function feedFilter(options: ReadAllOptions): { filter: Filter; keep: (event: RecordedEvent) => boolean } {
  const types = options.types?.length ? new Set(options.types) : null;
  const keep = (event: RecordedEvent) => !event.type.startsWith('$') && (!types || types.has(event.type));
  if (options.streamPrefix) return { filter: streamNameFilter({ prefixes: [options.streamPrefix] }), keep };
  if (types) return { filter: eventTypeFilter({ regex: `^(?:${[...types].map(escapeRegex).join('|')})$` }), keep };
  return { filter: excludeSystemEvents(), keep };
}

/** The pool's store: one KurrentDB (cluster) that every host's service writes to and reads from. */
export class KurrentDbEventStore implements EventStore {
  constructor(
    private readonly client: KurrentDBClient,
    /** The connection string without credentials, for messages. */
    readonly endpoint: string,
  ) {}

  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.call(`append to ${stream}`, async () => {
      let revision: number;
      try {
        // The server answers a retry of the same ids at the same expected revision as a success that writes nothing.
        const result = await this.client.appendToStream(
          stream,
          events.map((e) =>
            jsonEvent({ id: e.id, type: e.type, data: e.data as JSONType, metadata: e.metadata as JSONType }),
          ),
          { streamState: streamState(expected) },
        );
        revision = Number(result.nextExpectedRevision);
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          throw revisionConflict(stream, expected, error.actualState === NO_STREAM ? null : Number(error.actualState));
        }
        throw error;
      }
      // The append answers one position for the whole write (and none for a retry): read the last event's own.
      const [last] = await this.readStream(stream, { from: revision, limit: 1 });
      if (!last) throw storeFailure(`KurrentDB acknowledged an append to ${stream} it then could not read`, { stream });
      return { revision, position: last.position };
    });
  }

  readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.call(`read ${stream}`, async () => {
      const events: StoredEvent[] = [];
      try {
        const reading = this.client.readStream(stream, {
          fromRevision: BigInt(options.from ?? 0),
          ...(options.limit === undefined ? {} : { maxCount: options.limit }),
        });
        for await (const { event } of reading) if (event) events.push(toStored(event));
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      }
      return events;
    });
  }

  streamRevision(stream: string): Promise<number | null> {
    return this.call(`read ${stream}`, async () => {
      try {
        for await (const { event } of this.client.readStream(stream, {
          direction: BACKWARDS,
          fromRevision: END,
          maxCount: 1,
        })) {
          if (event) return Number(event.revision);
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      return null;
    });
  }

  readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.call('read $all', async () => {
      const after = options.after ?? 0;
      const limit = options.limit ?? Infinity;
      const { filter, keep } = feedFilter(options);
      const events: StoredEvent[] = [];
      let lastCommit: bigint | null = null;
      for await (const { event } of this.client.readAll({ fromPosition: positionAt(after), filter })) {
        if (!event || !keep(event)) continue;
        const stored = toStored(event);
        if (stored.position <= after) continue;
        // A page never ends inside one append: resuming from an event whose commit it shares would skip the rest.
        if (events.length >= limit && event.position.commit !== lastCommit) break;
        events.push(stored);
        lastCommit = event.position.commit;
      }
      return events;
    });
  }

  headPosition(): Promise<number> {
    return this.call('read $all', async () => {
      const reading = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        filter: excludeSystemEvents(),
        maxCount: 1,
      });
      for await (const { event } of reading) if (event) return toStored(event).position;
      return 0;
    });
  }

  follow(after: number, onEvent: () => void): { close(): Promise<void> } {
    let from: ReadPosition = positionAt(after);
    let subscription: AllStreamSubscription;
    let retry: NodeJS.Timeout | undefined;
    let closed = false;
    const subscribe = () => {
      subscription = this.client.subscribeToAll({ fromPosition: from, filter: excludeSystemEvents() });
      subscription.on('data', ({ event }) => {
        if (event) from = event.position;
        onEvent();
      });
      // A dropped subscription (server restart, leader change) resumes where it was, after a pause.
      subscription.on('error', () => {
        if (!closed) retry = setTimeout(subscribe, RESUBSCRIBE_MS).unref();
      });
    };
    subscribe();
    return {
      async close() {
        closed = true;
        clearTimeout(retry);
        await subscription.unsubscribe();
      },
    };
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof PassthruError) throw error;
      const reason = describe(error as Error);
      throw storeFailure(`KurrentDB at ${this.endpoint}: ${what} failed: ${reason}`, {
        endpoint: this.endpoint,
        reason,
      });
    }
  }
}

/** The client's errors from its native bridge carry only their class name as message; say what it means. */
function describe(error: Error & { type?: string }): string {
  if (error.type === 'unavailable')
    return 'the server is unavailable (not running, wrong address, or a TLS mismatch: tls=false for an insecure node)';
  if (error.type === 'deadline-exceeded')
    return `no answer within the deadline (defaultDeadline, ${DEFAULT_DEADLINE_MS} ms unless set)`;
  return error.message;
}

/** Connects and reads once, so a wrong address or a server that is down fails here, clearly. */
export async function openKurrentDbStore(connectionString: string): Promise<KurrentDbEventStore> {
  const endpoint = connectionString.replace(/\/\/[^@/]*@/, '//');
  const withDeadline = /[?&]defaultDeadline=/i.test(connectionString)
    ? connectionString
    : `${connectionString}${connectionString.includes('?') ? '&' : '?'}defaultDeadline=${DEFAULT_DEADLINE_MS}`;
  let client: KurrentDBClient;
  try {
    client = KurrentDBClient.connectionString(withDeadline);
  } catch (error) {
    throw invalidInput(
      `PASSTHRU_STORE is not a usable KurrentDB connection string (${endpoint}): ${(error as Error).message}`,
    );
  }
  const store = new KurrentDbEventStore(client, endpoint);
  try {
    await store.headPosition();
  } catch (error) {
    await store.close();
    const { reason } = (error as PassthruError).details;
    throw storeFailure(
      `cannot reach the KurrentDB store at ${endpoint}: ${String(reason ?? (error as Error).message)}`,
      { endpoint },
    );
  }
  return store;
}
