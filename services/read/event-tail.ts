import type { Logger } from 'pino';
import type { EventStore, StoredEvent } from '../store/event-store.ts';

export type TailListener = (events: readonly StoredEvent[]) => void;

// Enough for every watcher that keeps up to read the newest events from memory.
const KEPT = 4_096;
const PAGE = 1_000;

/**
 * The newest events of the store, read once for every watcher: whoever
 * appends (or learns that another host did) says so, the tail reads what is
 * new and hands it to each listener, in store order, exactly once.
 */
export class EventTail {
  private kept: StoredEvent[] = [];
  /** Every event after this position and up to the head is in `kept`. */
  private keptAfter: number;
  private readonly listeners = new Set<TailListener>();
  private reading: Promise<void> | null = null;
  private again = false;

  private constructor(
    private readonly store: EventStore,
    private readonly log: Logger,
    /** The position of the newest event handed out. */
    public head: number,
  ) {
    this.keptAfter = head;
  }

  static async open(store: EventStore, log: Logger): Promise<EventTail> {
    return new EventTail(store, log, await store.headPosition());
  }

  listen(listener: TailListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get watchers(): number {
    return this.listeners.size;
  }

  /** The store has newer events; resolves once they are handed out. */
  notify(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    const reading = this.readNew().finally(() => {
      this.reading = null;
      if (this.again) {
        this.again = false;
        void this.notify();
      }
    });
    this.reading = reading;
    return reading;
  }

  /**
   * Up to `limit` events after `after`, from memory when the tail still holds
   * them, else from the store; never past the head, so a reader that then
   * listens misses nothing and sees nothing twice.
   */
  async read(after: number, limit: number): Promise<StoredEvent[]> {
    if (after >= this.keptAfter) {
      const from = this.kept.findIndex((event) => event.position > after);
      return from < 0 ? [] : this.kept.slice(from, from + limit);
    }
    const head = this.head;
    const events = await this.store.readAll({ after, limit });
    return events.filter((event) => event.position <= head);
  }

  private async readNew(): Promise<void> {
    for (;;) {
      let events: StoredEvent[];
      try {
        events = await this.store.readAll({ after: this.head, limit: PAGE });
      } catch (err) {
        this.log.warn({ err }, 'reading the newest events for watchers failed');
        return;
      }
      if (events.length === 0) return;
      this.head = events[events.length - 1]!.position;
      this.kept = this.kept.concat(events);
      if (this.kept.length > KEPT) {
        const dropped = this.kept.length - KEPT;
        this.keptAfter = this.kept[dropped - 1]!.position;
        this.kept = this.kept.slice(dropped);
      }
      for (const listener of this.listeners) {
        try {
          listener(events);
        } catch (err) {
          this.log.error({ err }, 'an event watcher failed');
        }
      }
    }
  }
}
