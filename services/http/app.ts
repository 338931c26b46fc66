import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Passthru } from '../startup/passthru.ts';
import { installAuth } from './auth.ts';
import { installProblemHandlers, sendProblem } from './problem.ts';
import { RequestLog } from '../log/request-log.ts';
import { requestLogger } from '../log/request-logger.ts';
import type { RouteOptions } from './route-options.ts';
import { eventStreamRoutes } from './routes/event-stream.ts';
import { eventRoutes } from './routes/events.ts';
import { hostRoutes } from './routes/host.ts';
import { nextBootRoutes } from './routes/next-boot.ts';
import { pageRoutes } from './routes/page.ts';
import { pciRoutes } from './routes/pcis.ts';
import { pgpuRoutes } from './routes/pgpus.ts';
import { planRoutes } from './routes/plans.ts';
import { tokenRoutes } from './routes/tokens.ts';
import type { TlsFiles } from '../tls/server-tls.ts';
import { xapiPlugin } from '../xapi/plugin.ts';
import { connectionLimits } from './connection-limits.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const FRAMEWORK_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the request URL has a malformed percent escape',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is longer than 100 characters',
};

/** The HTTP service as one fastify instance, HTTPS when given a certificate; it opens no port itself. */
export async function buildApp(
  passthru: Passthru,
  logger: Logger,
  tls: TlsFiles | null = null,
): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  const timeouts = connectionLimits(passthru.config);
  const app = Fastify({
    loggerInstance,
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...timeouts.server } } : { http: timeouts.server }),
    requestTimeout: timeouts.requestTimeout,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    logController: new RequestLog(),
    childLoggerFactory: requestLogger,
    bodyLimit: 16 * 1024,
    // Unknown fields are refused, not silently dropped: a typo must not pass as a request.
    ajv: { customOptions: { removeAdditional: false } },
    requestIdHeader: false,
    // Errors fastify answers before routing (a malformed percent escape, an over-long path parameter) are problems too.
    frameworkErrors: (error, request, reply) =>
      sendProblem(reply, request, 400, FRAMEWORK_ERRORS[error.code] ?? 'the request URL is not valid'),
    genReqId: (request) => {
      const asked = request.headers['x-request-id'];
      return typeof asked === 'string' && REQUEST_ID.test(asked) ? asked : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.server.maxConnections = passthru.config.maxConnections;
  installProblemHandlers(app);
  installAuth(app, passthru.access.tokens);
  // A callback hook, not an async one: it runs on every request, status reads included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'passthru',
        version: '1',
        description: 'dom0 access (xen-pciback.hide) of the PCI devices of one Xen host, event-sourced',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  const options: RouteOptions = { passthru };
  await app.register(pciRoutes, options);
  await app.register(pgpuRoutes, options);
  await app.register(eventRoutes, options);
  await app.register(eventStreamRoutes, options);
  await app.register(hostRoutes, options);
  await app.register(nextBootRoutes, options);
  await app.register(tokenRoutes, options);
  await app.register(planRoutes, options);
  await app.register(pageRoutes, options);
  await app.register(xapiPlugin, { passthru });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
