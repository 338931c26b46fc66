import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PassthruError, type ErrorKind } from '../../domain/errors.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  host_failure: 502,
  store_failure: 503,
  not_ready: 503,
};

const TITLE: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  500: 'Internal error',
  502: 'Host command failed',
  503: 'Service unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  const title = TITLE[status] ?? 'Error';
  return reply
    .code(status)
    .type('application/problem+json')
    .send({
      ...extra,
      type: `https://passthru.invalid/problems/${title.toLowerCase().replace(/ /g, '-')}`,
      title,
      status,
      detail,
      instance: request.url,
    });
}

/** Domain errors keep their meaning; anything unexpected is a 500 whose internals stay in the log. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | PassthruError, request, reply) => {
    if (error instanceof PassthruError) {
      const status = STATUS[error.kind];
      if (status >= 500) request.log.warn({ err: error }, error.message);
      if (status === 401) reply.header('www-authenticate', 'Bearer realm="passthru"');
      return sendProblem(reply, request, status, error.message, error.details);
    }
    if (error.validation) {
      const [first] = error.validation;
      const detail = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''} ${first?.message ?? 'is invalid'}`;
      return sendProblem(reply, request, 400, detail, {
        errors: error.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) return sendProblem(reply, request, status, error.message);
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(
      reply,
      request,
      500,
      'the service failed unexpectedly; the log has the details under this request id',
      {
        request_id: request.id,
      },
    );
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, 404, `no route ${request.method} ${request.url.split('?')[0]}`),
  );
}
