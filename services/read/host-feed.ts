import { deviceStreamPrefix, hostStream, planStream, tokenStream } from '../../projections/streams.ts';
import type { EventStore, StoredEvent } from '../store/event-store.ts';

export interface HostFeedOptions {
  readonly after?: number;
  readonly limit: number;
  readonly types?: readonly string[];
}

/** Whether an event is one of a host's: on its device, host, token or plan streams, and recorded by it. */
export function isHostEvent(event: StoredEvent, host: string): boolean {
  return (
    event.metadata.host === host &&
    (event.stream.startsWith(deviceStreamPrefix(host)) ||
      event.stream === hostStream(host) ||
      event.stream === tokenStream(host) ||
      event.stream === planStream(host))
  );
}

/**
 * One host's events in a store a pool shares: its device streams and its host,
 * token and plan streams, in store order. Stream prefixes alone are ambiguous (host `a` is a
 * prefix of host `a-b`), so the recorded `host` decides.
 */
export async function readHostFeed(store: EventStore, host: string, options: HostFeedOptions): Promise<StoredEvent[]> {
  const { limit } = options;
  const found: StoredEvent[] = [];
  for (let after = options.after ?? 0; ;) {
    const pages = await Promise.all(
      [deviceStreamPrefix(host), hostStream(host), tokenStream(host), planStream(host)].map((streamPrefix) =>
        store.readAll({ after, limit, streamPrefix, ...(options.types ? { types: options.types } : {}) }),
      ),
    );
    // The first `limit` of the merge are exactly the next `limit` events of the union.
    const examined = pages
      .flat()
      .sort((a, b) => a.position - b.position)
      .slice(0, limit);
    found.push(...examined.filter((e) => e.metadata.host === host));
    const last = examined[examined.length - 1];
    if (!last || examined.length < limit || found.length >= limit) return found.slice(0, limit);
    after = last.position;
  }
}
