import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { requestMark } from './request-mark.ts';

/** A request slower than this gets a line whatever its outcome: the service is meant to answer in milliseconds. */
export const SLOW_REQUEST_MS = 1000;

/**
 * Fastify's request lines, cut to those worth a line at the default level:
 * changes (info), refusals (warn), failures (error), slow requests (warn). A
 * successful read, over REST or XAPI, is logged at debug only, so
 * `PASSTHRU_LOG_LEVEL=debug` is the access log, and a busy reader or a
 * thousand watchers cost no log write (fastify's own two lines a request
 * took a third of the throughput).
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const ms = Math.round(reply.elapsedTime);
    const mark = requestMark(request);
    const line = { method: request.method, url: request.url, status, ms, ...mark.fields };
    if (error || status >= 500) request.log.error({ ...line, ...(error ? { err: error } : {}) }, 'request failed');
    else if (status >= 400 || mark.refused) request.log.warn(line, 'request refused');
    else if (ms >= SLOW_REQUEST_MS && mark.kind !== 'wait') request.log.warn(line, 'slow request');
    else if (mark.kind === 'change') request.log.info(line, 'request completed');
    else request.log.debug(line, 'request completed');
  }
}
