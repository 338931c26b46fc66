import type { Api } from './api.ts';
import type { FeedEntry, HostView } from './api-types.ts';
import { SseParser } from './sse-parser.ts';

export type Connection =
  | { readonly state: 'connecting' }
  | { readonly state: 'live' }
  | { readonly state: 'disconnected'; readonly reason: string; readonly retryAt: number }
  | { readonly state: 'unavailable'; readonly reason: string };

export interface StreamHandlers {
  /** The stream is open: whatever happened before it is now to be read again. */
  readonly onOpen: () => void;
  readonly onEvent: (entry: FeedEntry) => void;
  readonly onConnection: (connection: Connection) => void;
}

// The service sends a heartbeat every 10 s; silence far past that is a connection that died without closing.
const SILENCE_MS = 35_000;
const RETRY_MS = [1_000, 2_000, 5_000, 10_000];

/** A pause that any of the signals cuts short. */
const wait = (ms: number, ...signals: AbortSignal[]) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    for (const signal of signals) {
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    }
  });

/**
 * Follows `GET /v1/events/stream` with fetch(), so the token travels in the
 * Authorization header and never in a URL (EventSource cannot send headers).
 * A dropped stream is opened again after a pause, resuming with Last-Event-ID.
 * Answers a function that stops it; `retryNow` skips the pause.
 */
export function followEventStream(api: Api, handlers: StreamHandlers): { stop: () => void; retryNow: () => void } {
  const stopped = new AbortController();
  let pause = new AbortController();
  let lastId: string | null = null;

  let opened = false;
  const readOnce = async (): Promise<string> => {
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    stopped.signal.addEventListener('abort', abort, { once: true });
    let silence = setTimeout(abort, SILENCE_MS);
    try {
      // Never without a position: a stream opened at "now" that dropped before its first message would resume at
      // the new now and lose what came between. The host's projection position is one every read after it covers.
      lastId ??= String((await api.get<HostView>('/v1/host')).projection_position);
      const response = await fetch('/v1/events/stream', {
        cache: 'no-store',
        signal: attempt.signal,
        headers: {
          ...api.headers,
          accept: 'text/event-stream',
          'last-event-id': lastId,
        },
      });
      if (response.status === 404) throw new Unavailable('this service has no event stream: reload to see changes');
      if (!response.ok || !response.body) {
        const detail = (await response.json().catch(() => null))?.detail;
        if (response.status === 401) throw new Unavailable(detail ?? 'the token was refused: sign in again');
        return detail ?? `the stream answered HTTP ${response.status}`;
      }
      opened = true;
      handlers.onConnection({ state: 'live' });
      handlers.onOpen();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'the service closed the stream';
        clearTimeout(silence);
        silence = setTimeout(abort, SILENCE_MS);
        for (const message of parser.push(value)) {
          if (message.event === 'revoked') throw new Unavailable(`${JSON.parse(message.data).reason}: sign in again`);
          if (message.event === 'cut-off') {
            lastId = String(JSON.parse(message.data).resume_after);
            return 'this page fell behind and was cut off';
          }
          if (message.event !== 'message') continue;
          lastId = message.id;
          handlers.onEvent(JSON.parse(message.data) as FeedEntry);
        }
      }
    } catch (error) {
      if (error instanceof Unavailable) throw error;
      return attempt.signal.aborted ? 'no word from the service for a while' : 'the connection was lost';
    } finally {
      clearTimeout(silence);
      stopped.signal.removeEventListener('abort', abort);
    }
  };

  void (async () => {
    for (let failures = 0; !stopped.signal.aborted; failures = opened ? 0 : failures + 1) {
      opened = false;
      handlers.onConnection({ state: 'connecting' });
      let reason: string;
      try {
        reason = await readOnce();
      } catch (error) {
        if (!stopped.signal.aborted) handlers.onConnection({ state: 'unavailable', reason: (error as Error).message });
        return;
      }
      if (stopped.signal.aborted) return;
      const delay = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]!;
      handlers.onConnection({ state: 'disconnected', reason, retryAt: Date.now() + delay });
      pause = new AbortController();
      await wait(delay, pause.signal, stopped.signal);
    }
  })();

  return { stop: () => stopped.abort(), retryNow: () => pause.abort() };
}

class Unavailable extends Error {}
