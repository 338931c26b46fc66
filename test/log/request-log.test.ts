import type { FastifyReply, FastifyRequest } from 'fastify';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RequestLog, SLOW_REQUEST_MS } from '../../services/log/request-log.ts';
import { markRequest, type RequestMark } from '../../services/log/request-mark.ts';

const test = suite('which requests get a log line');

/** The level and message one completed request is logged with. */
function logged(
  method: string,
  status: number,
  ms: number,
  error?: Error,
  mark?: RequestMark,
): [string, string, unknown] {
  let line: [string, string, unknown] = ['none', '', undefined];
  const at = (level: string) => (fields: { err?: unknown }, msg: string) => (line = [level, msg, fields.err]);
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const request = { method, url: '/v1/pcis/0000:03:00.0/hide', log } as unknown as FastifyRequest;
  if (mark) markRequest(request, mark);
  const reply = { statusCode: status, elapsedTime: ms } as unknown as FastifyReply;
  new RequestLog().requestCompleted(error, request, reply);
  return line;
}

test('a successful read is debug only; a change is info', () => {
  assert.equal(logged('GET', 200, 1), ['debug', 'request completed', undefined]);
  assert.equal(logged('HEAD', 200, 1), ['debug', 'request completed', undefined]);
  assert.equal(logged('POST', 200, 150), ['info', 'request completed', undefined]);
});

test('refusals warn, failures are errors with their cause, slow requests warn', () => {
  assert.equal(logged('GET', 401, 1), ['warn', 'request refused', undefined]);
  assert.equal(logged('POST', 409, 1), ['warn', 'request refused', undefined]);
  assert.equal(logged('POST', 502, 1), ['error', 'request failed', undefined]);
  const cause = new Error('socket hang up');
  assert.equal(logged('GET', 200, 1, cause), ['error', 'request failed', cause]);
  assert.equal(logged('GET', 200, SLOW_REQUEST_MS), ['warn', 'slow request', undefined]);
});

test('a request marked as a read, a change or a wait is logged as one, whatever its method', () => {
  assert.equal(logged('POST', 200, 1, undefined, { kind: 'read' }), ['debug', 'request completed', undefined]);
  assert.equal(logged('POST', 200, 1, undefined, { kind: 'change' }), ['info', 'request completed', undefined]);
  assert.equal(logged('POST', 200, SLOW_REQUEST_MS * 60, undefined, { kind: 'wait' }), [
    'debug',
    'request completed',
    undefined,
  ]);
  assert.equal(logged('GET', 200, SLOW_REQUEST_MS, undefined, { kind: 'read' }), ['warn', 'slow request', undefined]);
});

test('an RPC refused with a 200, as XAPI answers its failures, is a refusal', () => {
  assert.equal(logged('POST', 200, 1, undefined, { kind: 'read', refused: true }), [
    'warn',
    'request refused',
    undefined,
  ]);
});

test.run();
