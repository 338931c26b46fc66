import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../route-options.ts';
import { actorOf } from '../context.ts';
import { Health, HostView, problems, ReconcileReport } from '../schemas.ts';

export const hostRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { host, config, reconciler, projector, records } = passthru;

  app.get('/v1/host', { schema: { response: { 200: HostView, ...problems(502) } } }, async (request) => {
    const [bootId, lists, { iommu }] = await Promise.all([host.bootId(), host.hideLists(), host.iommu()]);
    const unreadable = { current: [...lists.currentUnreadable], pending: [...lists.pending.list.unreadable] };
    if (unreadable.current.length + unreadable.pending.length > 0) {
      request.log.warn({ unreadable }, 'a hide list holds entries xen-pciback cannot parse');
    }
    return {
      host_id: config.hostId,
      mode: host.mode,
      boot_id: bootId,
      current: [...lists.current].sort(),
      pending: [...lists.pending.devices].sort(),
      unreadable,
      projection_position: projector.position,
      iommu,
      boot_config: [...host.paths.bootConfig],
      safety_problems: [...records.safetyProblems],
    };
  });

  app.post('/v1/reconcile', { schema: { response: { 200: ReconcileReport, ...problems(401, 502) } } }, (request) =>
    reconciler.run({
      actor: actorOf(request),
      correlationId: request.id,
      extra: { trigger: 'api' },
    }),
  );

  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const reconciled = reconciler.lastRun !== null;
      return reply.code(reconciled ? 200 : 503).send({ status: reconciled ? 'ok' : 'starting', reconciled });
    },
  );
};
