import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { PassthruError } from '../../domain/errors.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Every change needs `Authorization: Bearer TOKEN`, compared in constant time. */
export function bearerGuard(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new PassthruError('unauthorized', 'this request changes state: send Authorization: Bearer <token>');
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      throw new PassthruError('unauthorized', 'the bearer token is wrong');
    }
  };
}
