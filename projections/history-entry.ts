import type { StoredEvent } from '../services/store/event-store.ts';

/** One line of a device's audit history, as the API and the CLI show it. */
export interface HistoryEntry {
  readonly position: number;
  readonly revision: number;
  readonly type: string;
  readonly at: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
}

export function toHistoryEntry(event: StoredEvent): HistoryEntry {
  return {
    position: event.position,
    revision: event.revision,
    type: event.type,
    at: event.metadata.at,
    data: event.data,
    metadata: event.metadata,
  };
}

/** One entry of the global feed: the history line, and where the event sits in the store. */
export function toFeedEntry(event: StoredEvent) {
  return { ...toHistoryEntry(event), id: event.id, stream: event.stream, stored_at: event.stored_at };
}
