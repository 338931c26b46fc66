import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error the connector ships no types
import { Xapi } from 'xen-api';
import { eventually } from '../support/eventually.ts';
import { GPU, NIC, NVME, TOKEN, World } from '../support/world.ts';

interface CachedObject {
  readonly $type: string;
  readonly $ref: string;
  readonly [field: string]: any;
}
interface Connector {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readonly objectsFetched: Promise<void>;
  readonly objects: { readonly all: Record<string, CachedObject> };
}

/** Xen Orchestra's own connector, as XO configures it, retrying a lost event loop quickly rather than after a minute. */
const connector = (url: string, transport: string): Connector =>
  new Xapi({ url, auth: { user: 'root', password: TOKEN }, transport, eventPollDelay: 100 });

const cached = (xapi: Connector, type: string) => Object.values(xapi.objects.all).filter((o) => o.$type === type);
const pgpuOf = (xapi: Connector, pci: string) => {
  const ref = cached(xapi, 'PCI').find((o) => o.pci_id === pci)?.$ref;
  return cached(xapi, 'PGPU').find((o) => o.PCI === ref);
};

async function listen(world: World, port = 0): Promise<number> {
  await world.app.listen({ port, host: '127.0.0.1' });
  return (world.app.server.address() as AddressInfo).port;
}

for (const transport of ['json-rpc', 'xml-rpc']) {
  const test = suite<{ world: World; xapi: Connector; port: number }>(
    `Xen Orchestra's xen-api connector over ${transport}`,
  );
  test.before(async (context) => {
    context.world = await World.start();
    context.port = await listen(context.world);
    context.xapi = connector(`http://127.0.0.1:${context.port}`, transport);
    await context.xapi.connect();
    await context.xapi.objectsFetched;
  });
  test.after(async ({ world, xapi }) => {
    await xapi.disconnect();
    await world.close();
  });

  test('connect() fills its cache with every PCI and PGPU record, as get_all_records gives them', async ({
    world,
    xapi,
  }) => {
    const pcis = cached(xapi, 'PCI');
    assert.equal(pcis.map((o) => o.pci_id).sort(), [GPU.id, NIC.id, NVME.id]);
    assert.equal(
      cached(xapi, 'PGPU').map((o) => o.dom0_access),
      ['enabled'],
    );
    const rest = (await world.get(`/v1/pcis/${NIC.id}`)).json();
    assert.is(pcis.find((o) => o.pci_id === NIC.id)!.device_name, rest.device_name);
    assert.is(cached(xapi, 'pool').length, 1);
    assert.is(cached(xapi, 'host').length, 1);
  });

  test('a hide over REST reaches its cache', async ({ world, xapi }) => {
    await world.post(`/v1/pcis/${GPU.id}/hide`);
    await eventually(() => pgpuOf(xapi, GPU.id)?.dom0_access === 'disable_on_reboot', 'the hide in the cache');
  });

  test('a change by hand reaches its cache with no read in between', async ({ world, xapi }) => {
    world.xenCmdlineByHand('--delete-dom0', 'xen-pciback.hide');
    await eventually(() => pgpuOf(xapi, GPU.id)?.dom0_access === 'enabled', 'the change by hand in the cache');
  });

  test('a restart of the service is survived: it logs in again and catches up', async ({ world, xapi, port }) => {
    await world.stop();
    world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})`);
    await world.boot();
    await listen(world, port);
    await eventually(() => pgpuOf(xapi, GPU.id)?.dom0_access === 'disable_on_reboot', 'the change made while down');
    await world.post(`/v1/pcis/${GPU.id}/unhide`);
    await eventually(() => pgpuOf(xapi, GPU.id)?.dom0_access === 'enabled', 'a hide after the restart');
  });

  test.run();
}
