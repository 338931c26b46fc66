import type { FastifyInstance, onRequestHookHandler, RouteOptions } from 'fastify';
import { forbidden, unauthorized } from '../../domain/errors.ts';
import { permits, type Role } from '../../domain/roles.ts';
import type { TokenRegistry } from '../access/token-registry.ts';
import type { Principal } from '../access/types.ts';
import { isReadMethod } from '../log/request-mark.ts';
import { Problem } from './schemas.ts';

/** `public`: no token; `session`: the route checks XAPI sessions itself; a role: the least a token needs. */
export type RouteAccess = 'public' | 'session' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Unset: `read-only` for GET and HEAD, `operator` for every other method, so a new change is guarded by default. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The token the request presented; null only on public and XAPI routes. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer +(\S+) *$/i;

function accessOf(route: Pick<RouteOptions, 'method' | 'config'>): RouteAccess {
  const asked = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (asked) return asked;
  const methods = [route.method].flat();
  return methods.every(isReadMethod) ? 'read-only' : 'operator';
}

/**
 * Every route the app ever gets is guarded here, as it is added: a request
 * hook of its own for its role, and its 401 and 403 answers in its schema.
 * Tokens are looked up by hash on each request, so a revoke takes effect at once.
 */
export function installAuth(app: FastifyInstance, tokens: TokenRegistry): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const access = accessOf(route);
    if (access === 'public' || access === 'session') return;
    route.onRequest = [tokenCheck(tokens, access), ...[route.onRequest ?? []].flat()];
    if (route.schema) {
      const answers = (route.schema.response ?? {}) as Record<string, unknown>;
      route.schema = {
        ...route.schema,
        security: [{ bearer: [] }],
        response: { 401: Problem, ...(access === 'operator' ? { 403: Problem } : {}), ...answers },
      };
    }
  });
}

function tokenCheck(tokens: TokenRegistry, needed: Role): onRequestHookHandler {
  // A callback hook, not an async one: it runs on every request, status reads included.
  return (request, _reply, done) => {
    const header = request.headers.authorization;
    const secret = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (secret === undefined) {
      return done(unauthorized('send Authorization: Bearer <token> (passthru token add makes one)'));
    }
    const principal = tokens.authenticate(secret, Date.now());
    if (!principal) return done(unauthorized('the bearer token is wrong or was revoked'));
    if (!permits(principal.role, needed)) {
      return done(
        forbidden(`this needs the ${needed} role; the token ${principal.name} is ${principal.role}`, {
          token: principal.name,
          role: principal.role,
          needed,
        }),
      );
    }
    request.principal = principal;
    done();
  };
}
