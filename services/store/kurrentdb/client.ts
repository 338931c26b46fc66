import type {
  AllStreamResolvedEvent,
  AppendResult,
  AppendToStreamOptions,
  EventData,
  ReadAllOptions,
  ReadStreamOptions,
  ResolvedEvent,
  SubscribeToAllOptions,
} from '@kurrent/kurrentdb-client';

/** A catch-up subscription to `$all`, as far as the adapter listens to it. */
export interface AllSubscription {
  on(event: 'data', listener: (resolved: AllStreamResolvedEvent) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'confirmation' | 'end' | 'close', listener: () => void): this;
  unsubscribe(): Promise<void>;
}

/** The part of KurrentDBClient the adapter uses: the real client, or a fake one in tests. */
export interface KurrentClient {
  appendToStream(stream: string, events: EventData[], options: AppendToStreamOptions): Promise<AppendResult>;
  readStream(stream: string, options: ReadStreamOptions): AsyncIterableIterator<ResolvedEvent>;
  readAll(options: ReadAllOptions): AsyncIterableIterator<AllStreamResolvedEvent>;
  subscribeToAll(options: SubscribeToAllOptions): AllSubscription;
  dispose(): Promise<void>;
}
