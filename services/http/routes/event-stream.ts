import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { invalidInput } from '../../../domain/errors.ts';
import type { RouteOptions } from '../route-options.ts';
import { EventStreamConnection, HEARTBEAT_MS, STREAM_BUFFER_LIMIT } from '../event-stream.ts';
import { FeedQuery, problems } from '../schemas.ts';
import { markRequest } from '../../log/request-mark.ts';
import { notAnEventPosition } from '../../store/feed-cursor.ts';

const StreamQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({ minimum: 0, description: 'a store position: events after it; the newest position when absent' }),
    ),
    type: FeedQuery.properties.type,
    host: FeedQuery.properties.host,
  },
  { additionalProperties: false },
);
const StreamHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ description: 'the id of the last message received: the stream resumes after it, over `after`' }),
  ),
});
const EventStream = Type.String({
  description:
    'Server-Sent Events: one message per stored event, `id:` its position and `data:` the same JSON as a `/v1/events` entry; ' +
    `a \`: heartbeat\` comment every ${HEARTBEAT_MS / 1000} s; a client more than ${STREAM_BUFFER_LIMIT} bytes behind gets a last ` +
    '`cut-off` message `{reason, resume_after}` and is disconnected, and resumes with `Last-Event-ID`; ' +
    'once its token is revoked or replaced a stream ends with a last `revoked` message `{reason}`',
});
const POSITION = /^\d{1,15}$/;

/** The global feed, live: `curl -N`, a browser's EventSource, or anything that reads text/event-stream. */
export const eventStreamRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const open = new Set<EventStreamConnection>();
  // Streams never end by themselves: a closing service ends them, and their clients resume by id.
  app.addHook('preClose', (done) => {
    for (const connection of open) connection.end();
    done();
  });

  app.get(
    '/v1/events/stream',
    {
      schema: {
        querystring: StreamQuery,
        headers: StreamHeaders,
        response: { 200: { content: { 'text/event-stream': { schema: EventStream } } }, ...problems(400) },
      },
    },
    async (request, reply) => {
      const resume = request.headers['last-event-id'];
      if (resume !== undefined && !POSITION.test(resume.trim())) {
        throw invalidInput(`Last-Event-ID must be a store position (a whole number), not ${JSON.stringify(resume)}`);
      }
      const after = resume !== undefined ? Number(resume.trim()) : (request.query.after ?? passthru.tail.head);
      // Once the stream's headers are out, a refusal has nowhere to go: a stream after no event would wait in silence.
      if (after > passthru.tail.head) throw notAnEventPosition(after);
      markRequest(request, { kind: 'wait' });
      reply.hijack();
      // Hijacked, the reply sends nothing itself: the headers set so far (the request id) are copied over.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      const { type, host } = request.query;
      // The token check before every route has set it: this route is not public.
      const principal = request.principal!;
      const connection = new EventStreamConnection(
        passthru.tail,
        reply.raw,
        after,
        { ...(type ? { type } : {}), ...(host ? { host } : {}) },
        () => passthru.access.tokens.isValid(principal),
        () => open.delete(connection),
      );
      open.add(connection);
    },
  );
};
