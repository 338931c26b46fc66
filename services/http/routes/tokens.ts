import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../route-options.ts';
import { actorOf, principalOf } from '../context.ts';
import {
  IssuedToken,
  problems,
  RevokedToken,
  TokenNameParams,
  TokenRequest,
  TokenSummary,
  Whoami,
} from '../schemas.ts';

/** Who a token is, and the operator's management of the named tokens. */
export const tokenRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { access } = passthru;
  const context = (request: Parameters<typeof actorOf>[0]) => ({
    actor: actorOf(request),
    correlationId: request.id,
    extra: { via: 'tokens' },
  });

  app.get('/v1/whoami', { schema: { response: { 200: Whoami } } }, (request) => {
    const { name, role } = principalOf(request);
    return { name, role };
  });

  // Who holds which token is the operator's to know, though listing it changes nothing.
  app.get(
    '/v1/tokens',
    { config: { access: 'operator' }, schema: { response: { 200: Type.Array(TokenSummary) } } },
    () => access.tokens.list(),
  );

  app.post(
    '/v1/tokens',
    { schema: { body: TokenRequest, response: { 201: IssuedToken, ...problems(400, 409) } } },
    async (request, reply) => {
      const issued = await access.issue(request.body.name, request.body.role, context(request));
      return reply.code(201).send({ ...issued.token, token: issued.secret, event: issued.event });
    },
  );

  app.delete(
    '/v1/tokens/:name',
    { schema: { params: TokenNameParams, response: { 200: RevokedToken, ...problems(404, 409) } } },
    async (request) => {
      const revoked = await access.revoke(request.params.name, context(request));
      return { ...revoked.token, event: revoked.event };
    },
  );
};
