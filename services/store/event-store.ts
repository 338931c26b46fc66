/** The event store port: every adapter (SQLite, KurrentDB) implements exactly this. */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface EventMetadata {
  readonly at: string;
  readonly actor: string;
  readonly correlation_id: string;
  readonly causation_id?: string;
  readonly host: string;
  readonly [key: string]: unknown;
}

export interface StoredEvent {
  readonly id: string;
  readonly stream: string;
  /** Zero-based place in its stream. */
  readonly revision: number;
  /** Place in the store's global order; strictly increasing, not dense. */
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** When the store took the event. */
  readonly stored_at: string;
}

export interface AppendResult {
  /** The revision of the last event now in the stream. */
  readonly revision: number;
  readonly position: number;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive). */
  readonly from?: number;
  readonly limit?: number;
}

export interface ReadAllOptions {
  /** Read events whose position is strictly greater than this. */
  readonly after?: number;
  readonly limit?: number;
  readonly types?: readonly string[];
  readonly streamPrefix?: string;
}

export interface EventStore {
  /**
   * Appends atomically, checking the expected revision. Retrying the same
   * event ids on the same stream is a success that appends nothing.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** The last revision of a stream, or null when it has no events. */
  streamRevision(stream: string): Promise<number | null>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** The position of the newest event, or 0 for an empty store. */
  headPosition(): Promise<number>;
  /**
   * A catch-up subscription from `after` that calls back whenever the store
   * has newer events, so readers can follow writers on other hosts. Stores
   * that only ever have one writer process need not offer it.
   */
  follow?(after: number, onEvent: () => void): { close(): Promise<void> };
  close(): Promise<void>;
}
