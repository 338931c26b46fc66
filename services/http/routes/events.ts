import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toFeedEntry } from '../../../projections/history-entry.ts';
import { readHostFeed } from '../../read/host-feed.ts';
import type { RouteOptions } from '../route-options.ts';
import { FeedPage, FeedQuery, problems } from '../schemas.ts';

/** The global audit feed, in store order. */
export const eventRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  app.get(
    '/v1/events',
    { schema: { querystring: FeedQuery, response: { 200: FeedPage, ...problems(400) } } },
    async (request) => {
      const { host, after = 0, limit = 100 } = request.query;
      const options = { after, limit, ...(request.query.type ? { types: [request.query.type] } : {}) };
      const events = host ? await readHostFeed(passthru.store, host, options) : await passthru.store.readAll(options);
      const last = events[events.length - 1];
      return {
        events: events.map(toFeedEntry),
        // A store may return more than asked to keep one append's events on one page.
        next: events.length >= limit && last ? last.position : null,
      };
    },
  );
};
