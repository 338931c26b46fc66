import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CommandName } from '../../../domain/events.ts';
import { parsePciAddress } from '../../../domain/pci-address.ts';
import type { RouteOptions } from '../route-options.ts';
import { commandContext } from '../context.ts';
import { CommandBody, CommandEffect, IdParams, PgpuRecord, problems } from '../schemas.ts';

/** The deprecated PGPU calls: PCI commands on the PGPU's PCI, announced as deprecated. */
export const pgpuRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { records, commands } = passthru;

  app.get('/v1/pgpus', { schema: { response: { 200: Type.Array(PgpuRecord), ...problems(502) } } }, () =>
    records.pgpus(),
  );

  app.get(
    '/v1/pgpus/:id',
    { schema: { params: IdParams, response: { 200: PgpuRecord, ...problems(400, 404, 502) } } },
    (request) => records.pgpu(parsePciAddress(request.params.id)),
  );

  const command = (name: CommandName) =>
    app.post(
      `/v1/pgpus/:id/${name}`,
      {
        schema: {
          params: IdParams,
          body: CommandBody,
          response: {
            200: Type.Object({ ...PgpuRecord.properties, ...CommandEffect }),
            ...problems(400, 401, 404, 409, 502),
          },
        },
      },
      async (request, reply) => {
        const id = parsePciAddress(request.params.id);
        records.requirePgpu(id);
        reply.header('deprecation', 'true');
        reply.header('link', `</v1/pcis/${id}/${name}>; rel="successor-version"`);
        const outcome = await commands.execute(
          { name, pci: id, via: 'pgpu', ...(request.body?.force ? { force: true } : {}) },
          commandContext(request, 'pgpu', request.body?.reason),
        );
        return { id, pci: id, dom0_access: outcome.record.dom0_access, changed: outcome.changed, event: outcome.event };
      },
    );
  command('hide');
  command('unhide');
};
