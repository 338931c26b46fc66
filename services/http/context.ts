import type { FastifyRequest } from 'fastify';
import type { Via } from '../../domain/events.ts';
import type { Principal } from '../access/types.ts';
import type { CommandContext } from '../write/recorder.ts';

const CLIENT = /^[\x21-\x7e]{1,128}$/;

/** The token behind a request on any route but the public and XAPI ones. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`${request.method} ${request.url} checks no token`);
  return request.principal;
}

/** The name of the token behind a request: the actor of what it changes. */
export const actorOf = (request: FastifyRequest): string => principalOf(request).name;

/**
 * The metadata of a change asked over HTTP: which token, which request,
 * through which API, and why. A client may say on whose behalf it asks
 * (`Passthru-Actor`, e.g. the CLI's `cli:root`), recorded beside the token, never instead of it.
 */
export function commandContext(request: FastifyRequest, via: Via, reason?: string): CommandContext {
  const named = request.headers['passthru-actor'];
  const onBehalfOf = typeof named === 'string' && CLIENT.test(named) ? named : undefined;
  return {
    actor: actorOf(request),
    correlationId: request.id,
    extra: { via, ...(onBehalfOf ? { on_behalf_of: onBehalfOf } : {}), ...(reason ? { reason } : {}) },
  };
}
