import type { Config } from '../settings/config.ts';

/** Node's own: a client keeping a socket open for its next request reuses it within this, as undici does (4 s). */
const KEEP_ALIVE_MS = 5_000;
/** Node checks the header and request deadlines of open connections this often at most (its default is 30 s). */
const CHECK_EVERY_MS = 1_000;

/**
 * What bounds a client that sends slowly (one byte of a body, a header a
 * minute): the whole request, headers included, must arrive within the
 * request timeout, or Node answers 408 and closes the connection; an idle
 * kept-alive socket closes after 5 s. Only the sending is bounded, never
 * the answer: an SSE stream or an `event.from` long poll (held up to its
 * timeout, 60 s for XAPI's clients) has its request in full and waits on the
 * service, so no socket idle timeout is set (fastify's `connectionTimeout`
 * stays 0), which would cut them off.
 */
export function connectionLimits(config: Config) {
  return {
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // Given at creation too: Node refuses a headers timeout above the request timeout it starts with (300 s).
    server: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(CHECK_EVERY_MS, config.requestTimeoutMs),
    },
  };
}
