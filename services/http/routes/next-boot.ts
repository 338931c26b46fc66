import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../route-options.ts';
import { nextBootVerdict } from '../../read/next-boot.ts';
import { NextBootView, problems } from '../schemas.ts';

/** The preflight: whether the next boot is safe and does what its hide list says. */
export const nextBootRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  app.get('/v1/host/next-boot', { schema: { response: { 200: NextBootView, ...problems(401, 502) } } }, () =>
    nextBootVerdict(passthru.host, passthru.records),
  );
};
