import type { FastifyRequest } from 'fastify';
import type { Via } from '../../domain/events.ts';
import type { CommandContext } from '../recorder.ts';

const ACTOR = /^[\x21-\x7e]{1,128}$/;

/** The metadata of a change asked over HTTP: who, which request, through which API, and why. */
export function commandContext(request: FastifyRequest, via: Via, reason?: string): CommandContext {
  const named = request.headers['passthru-actor'];
  const actor = typeof named === 'string' && ACTOR.test(named) ? named : `http:${request.ip}`;
  return {
    actor,
    correlationId: request.id,
    extra: { via, ...(reason ? { reason } : {}) },
  };
}
