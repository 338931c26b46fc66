import type { ReadPosition } from '@kurrent/kurrentdb-client';
import type { AllSubscription, KurrentClient } from './client.ts';
import { withDeadline } from './deadline.ts';
import { passthruStreamFilter, toPassthruEvent } from './passthru-events.ts';

const RESUBSCRIBE_MS = 1000;

/**
 * A catch-up subscription to passthru's events in `$all` that does not
 * quietly stop: one that fails (server restart, leader change), ends cleanly,
 * or is not confirmed by the server within the deadline is taken up again
 * where it was, after a pause. `start` gives the first position; a failure
 * there is retried the same way.
 */
export function followPassthruEvents(
  client: KurrentClient,
  deadlineMs: number,
  start: () => Promise<ReadPosition>,
  onEvent: () => void,
): { close(): Promise<void> } {
  let from: ReadPosition | null = null;
  let subscription: AllSubscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const later = () => {
    if (!closed) retry = setTimeout(() => void subscribe(), RESUBSCRIBE_MS).unref();
  };
  const subscribe = async () => {
    try {
      from ??= await start();
    } catch {
      return later();
    }
    if (closed) return;
    const current = client.subscribeToAll({ fromPosition: from, filter: passthruStreamFilter() });
    subscription = current;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(unconfirmed);
      current.unsubscribe().catch(() => undefined);
      later();
    };
    const unconfirmed = setTimeout(end, deadlineMs).unref();
    current.on('confirmation', () => clearTimeout(unconfirmed));
    current.on('data', ({ event }) => {
      clearTimeout(unconfirmed);
      if (!event?.position) return;
      from = event.position;
      if (toPassthruEvent(event)) onEvent();
    });
    current.on('error', end);
    current.on('end', end);
    current.on('close', end);
  };
  void subscribe();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      // A server that stopped answering must not hold up a shutdown.
      if (subscription) await withDeadline(subscription.unsubscribe(), deadlineMs).catch(() => undefined);
    },
  };
}
