import type { FeedEntry } from './api-types.ts';

/** Fans the stream's events out to the parts of the page that follow them (the feed, an open device). */
export class LiveEvents {
  private readonly listeners = new Set<(entry: FeedEntry) => void>();

  listen(listener: (entry: FeedEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(entry: FeedEntry): void {
    for (const listener of this.listeners) listener(entry);
  }
}

/** The device an event is about, if any. */
export const eventPci = (entry: FeedEntry): string | null => {
  const pci = (entry.data as { pci?: unknown } | null)?.pci;
  return typeof pci === 'string' ? pci : null;
};
