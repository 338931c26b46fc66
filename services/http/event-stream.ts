import type { ServerResponse } from 'node:http';
import { toFeedEntry } from '../../projections/history-entry.ts';
import type { EventTail } from '../read/event-tail.ts';
import { isHostEvent } from '../read/host-feed.ts';
import type { StoredEvent } from '../store/event-store.ts';

export interface StreamFilter {
  readonly type?: string;
  readonly host?: string;
}

/** The last message of a stream whose token was revoked: the client must sign in again, not resume. */
export const REVOKED_MESSAGE = `event: revoked\ndata: ${JSON.stringify({
  reason: 'the token this stream was opened with was revoked or replaced',
})}\n\n`;

// A client this far behind on live events is not keeping up: it is cut off rather than buffered for.
export const STREAM_BUFFER_LIMIT = 1024 * 1024;
export const HEARTBEAT_MS = 10_000;
const PAGE = 500;
// A client cut off that does not even read its last message is disconnected after this.
const CUT_OFF_GRACE_MS = 10_000;

// The tail hands every connection the same event objects: each is serialized once, however many watch.
const messages = new WeakMap<StoredEvent, string>();
function message(event: StoredEvent): string {
  let text = messages.get(event);
  if (text === undefined) {
    text = `id: ${event.position}\ndata: ${JSON.stringify(toFeedEntry(event))}\n\n`;
    messages.set(event, text);
  }
  return text;
}

/**
 * One client of `GET /v1/events/stream`. It first reads what it missed from
 * the store at its own pace (waiting for the socket to drain, so nothing
 * piles up in memory), then follows the tail live; a live client whose
 * unsent data passes the limit is cut off with a last `cut-off` message
 * telling where to resume. A stream lives only as long as its token: once
 * it is revoked, the stream ends with a last `revoked` message.
 */
export class EventStreamConnection {
  private live = false;
  private closed = false;
  private readonly stopListening: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly tail: EventTail,
    private readonly res: ServerResponse,
    private position: number,
    private readonly filter: StreamFilter,
    /** Whether the token the stream was opened with is still good. */
    private readonly allowed: () => boolean,
    private readonly onClose: () => void,
  ) {
    this.stopListening = tail.listen((events) => this.deliver(events));
    this.heartbeat = setInterval(() => {
      if (this.allowed()) this.write(': heartbeat\n\n');
      else this.revoked();
    }, HEARTBEAT_MS);
    res.on('close', () => this.close());
    this.write(`: passthru events after position ${position}\n\n`);
    void this.catchUp().catch(() => this.end());
  }

  /** Ends the stream for a service that is closing; the client resumes by id. */
  end(): void {
    if (this.closed) return;
    this.res.end();
    this.close();
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.tail.read(this.position, PAGE);
      if (this.closed) return;
      if (!this.allowed()) return this.revoked();
      for (const event of page) this.send(event);
      if (page.length > 0) this.position = page[page.length - 1]!.position;
      if (this.res.writableNeedDrain)
        await new Promise((resolve) => this.res.once('drain', resolve).once('close', resolve));
      // Read to the head with no await between the check and going live, so no event falls between the two.
      if (page.length === 0 && this.position >= this.tail.head) {
        this.live = true;
        return;
      }
    }
  }

  private deliver(events: readonly StoredEvent[]): void {
    if (!this.live || this.closed) return;
    if (!this.allowed()) return this.revoked();
    for (const event of events) {
      if (event.position <= this.position) continue;
      this.send(event);
      this.position = event.position;
      if (this.res.writableLength > STREAM_BUFFER_LIMIT) return this.cutOff();
    }
  }

  private send(event: StoredEvent): void {
    if (this.filter.type !== undefined && event.type !== this.filter.type) return;
    if (this.filter.host !== undefined && !isHostEvent(event, this.filter.host)) return;
    this.write(message(event));
  }

  private cutOff(): void {
    const detail = {
      reason: `the client read too slowly: more than ${STREAM_BUFFER_LIMIT} bytes were waiting to be sent`,
      resume_after: this.position,
    };
    this.write(`event: cut-off\ndata: ${JSON.stringify(detail)}\n\n`);
    this.res.end();
    const res = this.res;
    setTimeout(() => res.destroy(), CUT_OFF_GRACE_MS).unref();
    this.close();
  }

  private revoked(): void {
    this.write(REVOKED_MESSAGE);
    this.end();
  }

  private write(text: string): void {
    if (!this.closed) this.res.write(text);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopListening();
    clearInterval(this.heartbeat);
    this.onClose();
  }
}
