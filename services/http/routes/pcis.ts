import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CommandName } from '../../../domain/events.ts';
import { invalidInput, notFound } from '../../../domain/errors.ts';
import { parsePciAddress } from '../../../domain/pci-address.ts';
import { deviceStateAt } from '../../../projections/pci-view.ts';
import { toHistoryEntry } from '../../../projections/history-entry.ts';
import { deviceStream } from '../../../projections/streams.ts';
import type { RouteOptions } from '../route-options.ts';
import { commandContext } from '../context.ts';
import {
  BatchBody,
  BatchResponse,
  CommandBody,
  CommandEffect,
  DeviceState,
  HistoryPage,
  HistoryQuery,
  IdParams,
  PciRecord,
  problems,
  StateQuery,
  StatusResponse,
  Warnings,
} from '../schemas.ts';
import { Type } from 'typebox';

export const pciRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { passthru }) => {
  const { records, commands, store, config } = passthru;

  app.get('/v1/pcis', { schema: { response: { 200: Type.Array(PciRecord), ...problems(502) } } }, () => records.pcis());

  app.get(
    '/v1/pcis/:id',
    { schema: { params: IdParams, response: { 200: PciRecord, ...problems(400, 404, 502) } } },
    (request) => records.pci(parsePciAddress(request.params.id)),
  );

  app.get(
    '/v1/pcis/:id/dom0-access',
    { schema: { params: IdParams, response: { 200: StatusResponse, ...problems(400, 404, 502) } } },
    async (request) => {
      const id = parsePciAddress(request.params.id);
      return { id, status: await records.status(id) };
    },
  );

  const command = (name: CommandName) =>
    app.post(
      `/v1/pcis/:id/${name}`,
      {
        schema: {
          params: IdParams,
          body: CommandBody,
          response: {
            200: Type.Object({ ...PciRecord.properties, ...CommandEffect, warnings: Warnings }),
            ...problems(400, 401, 404, 409, 502),
          },
        },
      },
      async (request) => {
        const pci = parsePciAddress(request.params.id);
        const outcome = await commands.execute(
          {
            name,
            pci,
            via: 'pci',
            ...(request.body?.force ? { force: true } : {}),
            ...(request.body?.apply ? { apply: request.body.apply } : {}),
          },
          commandContext(request, 'pci', request.body?.reason),
        );
        return { ...outcome.record, changed: outcome.changed, event: outcome.event, warnings: outcome.warnings };
      },
    );
  command('hide');
  command('unhide');

  const batch = (name: CommandName) =>
    app.post(
      `/v1/pcis/${name}`,
      {
        schema: {
          body: BatchBody,
          response: { 200: BatchResponse, ...problems(400, 401, 404, 409, 502) },
        },
      },
      async (request) => {
        const pcis = request.body.ids.map(parsePciAddress);
        const twice = pcis.find((pci, i) => pcis.indexOf(pci) !== i);
        if (twice) throw invalidInput(`${twice} is listed twice`, { id: twice });
        return commands.executeBatch(
          {
            name,
            pcis,
            via: 'pci',
            ...(request.body.force ? { force: true } : {}),
            ...(request.body.apply ? { apply: request.body.apply } : {}),
          },
          commandContext(request, 'pci', request.body.reason),
        );
      },
    );
  batch('hide');
  batch('unhide');

  app.get(
    '/v1/pcis/:id/history',
    { schema: { params: IdParams, querystring: HistoryQuery, response: { 200: HistoryPage, ...problems(400, 404) } } },
    async (request) => {
      const id = parsePciAddress(request.params.id);
      const host = request.query.host ?? config.hostId;
      const stream = deviceStream(host, id);
      const limit = request.query.limit ?? 100;
      const events = await store.readStream(stream, { from: (request.query.after ?? -1) + 1, limit });
      if (events.length === 0 && (await store.streamRevision(stream)) === null) {
        if (host !== config.hostId) throw notFound(`${id} has no recorded events on host ${host}`, { id, host });
        records.require(id);
      }
      const last = events[events.length - 1];
      return { events: events.map(toHistoryEntry), next: events.length === limit && last ? last.revision : null };
    },
  );

  app.get(
    '/v1/pcis/:id/state',
    { schema: { params: IdParams, querystring: StateQuery, response: { 200: DeviceState, ...problems(400, 404) } } },
    async (request) => {
      const id = parsePciAddress(request.params.id);
      const stream = deviceStream(config.hostId, id);
      const latest = await store.streamRevision(stream);
      const at = request.query.at ?? latest;
      if (latest === null || at === null || at > latest) {
        throw notFound(
          latest === null
            ? `${id} has no recorded events on this host`
            : `${id} has revisions 0 to ${latest}, not ${at}`,
          { id, latest },
        );
      }
      return deviceStateAt(await store.readStream(stream, { limit: at + 1 }), at)!;
    },
  );
};
