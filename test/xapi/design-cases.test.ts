import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, TOKEN, World } from '../support/world.ts';
import { jsonLogin, jsonRpc, python, serve } from './support.ts';

// The design document's test cases over XAPI, driven by a script written as for
// the XenAPI module (posting to /RPC2, as XenAPI.py does for a URL without a path),
// against a simulated host with real reboots.
const test = suite<{ world: World; url: string }>('design document test cases over XAPI');
test.before.each(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after.each(async ({ world }) => world.close());

type Verb = 'get' | 'disable' | 'enable';
// The REST API keeps the design document's names; XAPI has its own.
const XAPI_NAME: Record<string, string> = {
  enabled: 'enabled',
  disabled: 'disabled',
  disabled_on_reboot: 'disable_on_reboot',
  enabled_on_reboot: 'enable_on_reboot',
};
const script = async ({ url }: { url: string }, cls: 'PCI' | 'PGPU', verb: Verb, address: string) =>
  python('dom0_access.py', [url, TOKEN, cls, verb, address]);

/** A real reboot restarts the service: listen again. */
async function reboot(context: { world: World; url: string }): Promise<void> {
  await context.world.reboot();
  context.url = await serve(context.world);
}

test('hide a PCI: disable_dom0_access on an enabled PCI answers disable_on_reboot; after a reboot, disabled', async (context) => {
  assert.is((await script(context, 'PCI', 'get', NIC.id)).answer, 'enabled');
  const hidden = await script(context, 'PCI', 'disable', NIC.id);
  assert.equal(hidden, { api_version: '2.21', answer: 'disable_on_reboot', pci: 'disable_on_reboot', pgpu: null });
  await reboot(context);
  assert.is((await script(context, 'PCI', 'get', NIC.id)).answer, 'disabled');
});

test('unhide a PCI: enable_dom0_access on a disabled PCI answers enable_on_reboot; after a reboot, enabled', async (context) => {
  await script(context, 'PCI', 'disable', NIC.id);
  await reboot(context);
  assert.is((await script(context, 'PCI', 'get', NIC.id)).answer, 'disabled');
  assert.is((await script(context, 'PCI', 'enable', NIC.id)).answer, 'enable_on_reboot');
  await reboot(context);
  assert.is((await script(context, 'PCI', 'get', NIC.id)).answer, 'enabled');
});

test('get_dom0_access_status through both reboots, always equal to the REST status by its design name', async (context) => {
  const seen: [string, string][] = [];
  const look = async () =>
    seen.push([(await script(context, 'PCI', 'get', NIC.id)).answer, await context.world.status(NIC.id)]);
  await look();
  await script(context, 'PCI', 'disable', NIC.id);
  await look();
  await reboot(context);
  await look();
  await script(context, 'PCI', 'enable', NIC.id);
  await look();
  await reboot(context);
  await look();
  assert.equal(seen, [
    ['enabled', 'enabled'],
    ['disable_on_reboot', 'disabled_on_reboot'],
    ['disabled', 'disabled'],
    ['enable_on_reboot', 'enabled_on_reboot'],
    ['enabled', 'enabled'],
  ]);
});

for (const cls of ['PCI', 'PGPU'] as const) {
  test(`PCI/PGPU coherence at every step when hiding and unhiding through XAPI's ${cls} class, and with REST`, async (context) => {
    const seen: string[] = [];
    const coherent = async (step: { answer: string; pci: string; pgpu: string }) => {
      assert.is(step.pgpu, step.pci, 'the PGPU’s dom0_access equals its PCI’s status');
      assert.is(step.answer, step.pci);
      const rest = (await context.world.get(`/v1/pgpus/${GPU.id}`)).json().dom0_access;
      assert.is(XAPI_NAME[rest], step.pci, 'REST says the same by its design name');
      seen.push(step.pci);
    };
    await coherent(await script(context, cls, 'get', GPU.id));
    await coherent(await script(context, cls, 'disable', GPU.id));
    await reboot(context);
    await coherent(await script(context, cls, 'get', GPU.id));
    await coherent(await script(context, cls, 'enable', GPU.id));
    await reboot(context);
    await coherent(await script(context, cls, 'get', GPU.id));
    assert.equal(seen, ['enabled', 'disable_on_reboot', 'disabled', 'enable_on_reboot', 'enabled']);
  });
}

test('a change through REST shows over XAPI at once, and one through XAPI over REST', async ({ world }) => {
  const session = await jsonLogin(world);
  const [gpuPgpu] = (await jsonRpc(world, 'PGPU.get_all', [session])).result;
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is((await jsonRpc(world, 'PGPU.get_dom0_access', [session, gpuPgpu])).result, 'disable_on_reboot');
  assert.is((await jsonRpc(world, 'PGPU.enable_dom0_access', [session, gpuPgpu])).result, 'enabled');
  assert.is(await world.status(GPU.id), 'enabled');
});

test('an XAPI change appends the same event as REST, with the RPC method and the session’s uuid, never its reference', async ({
  world,
}) => {
  const session = await jsonLogin(world);
  const [gpuPgpu] = (await jsonRpc(world, 'PGPU.get_all', [session])).result;
  await jsonRpc(world, 'PGPU.disable_dom0_access', [session, gpuPgpu]);
  const { events } = (await world.get(`/v1/pcis/${GPU.id}/history`)).json();
  const last = events[events.length - 1];
  assert.is(last.type, 'Dom0AccessDisabled');
  assert.equal(last.data, {
    pci: GPU.id,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'command',
    via: 'xapi',
    identity: { class_id: '030000', vendor_id: '10de', device_id: '1db4' },
  });
  const { via, rpc_method, actor, xapi_user, session: recorded } = last.metadata;
  assert.equal(
    { via, rpc_method, actor, xapi_user },
    { via: 'xapi', rpc_method: 'PGPU.disable_dom0_access', actor: 'admin', xapi_user: 'root' },
  );
  assert.match(recorded, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.not.ok(
    JSON.stringify(events).includes(session.slice('OpaqueRef:'.length)),
    'the session reference is a credential',
  );
  const again = await jsonRpc(world, 'PGPU.disable_dom0_access', [session, gpuPgpu]);
  assert.is(again.result, 'disable_on_reboot');
  assert.is(
    (await world.get(`/v1/pcis/${GPU.id}/history`)).json().events.length,
    events.length,
    'a no-op appends nothing',
  );
});

test.run();
