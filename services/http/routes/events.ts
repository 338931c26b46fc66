import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toHistoryEntry } from '../../../projections/history-entry.ts';
import type { RouteOptions } from '../app.ts';
import { FeedPage, FeedQuery, problems } from '../schemas.ts';

/** The global audit feed, in store order. */
export const eventRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  app.get('/v1/events', { schema: { querystring: FeedQuery, response: { 200: FeedPage, ...problems(400) } } }, async (request) => {
    const limit = request.query.limit ?? 100;
    const events = await passthru.store.readAll({
      after: request.query.after ?? 0,
      limit,
      ...(request.query.type ? { types: [request.query.type] } : {}),
    });
    const last = events[events.length - 1];
    return {
      events: events.map((e) => ({ ...toHistoryEntry(e), id: e.id, stream: e.stream, stored_at: e.stored_at })),
      next: events.length === limit && last ? last.position : null,
    };
  });
};
