import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../route-options.ts';
import { invalidInput } from '../../../domain/errors.ts';
import { parsePciAddress } from '../../../domain/pci-address.ts';
import { actorOf, commandContext } from '../context.ts';
import { Health, HideListRepairBody, HideListRepairResponse, HostView, problems, ReconcileReport } from '../schemas.ts';

export const hostRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { host, config, reconciler, projector, records, commands } = passthru;

  app.get('/v1/host', { schema: { response: { 200: HostView, ...problems(502) } } }, async (request) => {
    const [bootId, lists, { iommu }] = await Promise.all([host.bootId(), host.hideLists(), host.iommu()]);
    const unreadable = { current: [...lists.running.list.unreadable], pending: [...lists.pending.list.unreadable] };
    const hideListProblems = [...lists.running.problems, ...lists.pending.problems];
    if (hideListProblems.length > 0) {
      request.log.warn({ problems: hideListProblems }, 'a hide list hides less than it names');
    }
    return {
      host_id: config.hostId,
      mode: host.mode,
      boot_id: bootId,
      current: [...lists.current].sort(),
      pending: [...lists.pending.devices].sort(),
      unreadable,
      hide_list_problems: hideListProblems.map((p) => ({ ...p, entries: [...p.entries] })),
      running_line_cut: lists.running.cut,
      projection_position: projector.position,
      iommu,
      holders: host.holders.known ? { known: true as const } : { known: false as const, detail: host.holders.detail },
      boot_config: [...host.paths.bootConfig],
      safety_problems: [...records.safetyProblems],
    };
  });

  app.post(
    '/v1/host/hide-list/repair',
    {
      schema: { body: HideListRepairBody, response: { 200: HideListRepairResponse, ...problems(400, 401, 409, 502) } },
    },
    (request) => {
      const { drop = [], fix = [], pciback_hide: pcibackHide = 'keep', force, reason } = request.body;
      const entries = [...drop, ...fix.map((f) => f.entry)];
      const twice = entries.find((entry, i) => entries.indexOf(entry) !== i);
      if (twice) throw invalidInput(`${twice} is named twice: drop or fix each entry once`, { entry: twice });
      return commands.repairHideList(
        {
          drop,
          fix: fix.map(({ entry, pci }) => ({ entry, pci: parsePciAddress(pci) })),
          pcibackHide,
          ...(force ? { force } : {}),
        },
        commandContext(request, 'pci', reason),
      );
    },
  );

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
