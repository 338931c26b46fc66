import { suite } from 'uvu';
import type { PciAddress } from '../../domain/pci-address.ts';
import * as assert from 'uvu/assert';
import { GPU, NIC, NVME, World } from '../support/world.ts';

const test = suite<{ world: World }>('reconciler');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => world.close());

const feed = async (world: World) => (await world.get('/v1/events?limit=1000')).json().events;

test('the first start issues the admin token, records the boot and discovers every device with its live status', async ({
  world,
}) => {
  const events = await feed(world);
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['TokenIssued', 'DeviceDiscovered', 'DeviceDiscovered', 'DeviceDiscovered', 'BootObserved'],
  );
  assert.equal(events[0].data, { name: 'admin', role: 'operator' });
  assert.equal(
    events.slice(1, 4).map((e: { data: { pci: string; status: string } }) => [e.data.pci, e.data.status]),
    [
      [GPU.id, 'enabled'],
      [NIC.id, 'enabled'],
      [NVME.id, 'enabled'],
    ],
  );
  assert.is((await world.get('/healthz')).statusCode, 200);
});

test('a restart on the same boot with nothing changed appends nothing', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const before = await feed(world);
  await world.restart();
  assert.equal(await feed(world), before);
  const report = await world.post('/v1/reconcile');
  assert.equal(report.json(), { boot_id: report.json().boot_id, new_boot: false, appended: [] });
});

test('a reboot is recorded on the host stream and explains every status it moved', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const before = (await feed(world)).length;
  await world.reboot();
  const after = (await feed(world)).slice(before);
  assert.equal(
    after.map((e: { type: string }) => e.type),
    ['Dom0AccessReconciled', 'BootObserved'],
  );
  assert.equal(after[1].data.current, [NIC.id]);
  assert.equal(after[0].data, {
    pci: NIC.id,
    status: 'disabled',
    previous: 'disabled_on_reboot',
    cause: 'reboot',
    boot_id: after[1].data.boot_id,
  });
});

test('an outside change is seen by the next read and recorded once with its cause, by the watcher or the reconciler', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NVME.id})`);
  assert.is(await world.status(NVME.id), 'disabled_on_reboot');
  const report = (await world.post('/v1/reconcile')).json();
  assert.is(report.new_boot, false);
  const { events } = (await world.get(`/v1/pcis/${NVME.id}/history`)).json();
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessReconciled'],
  );
  assert.equal(events[1].data, {
    pci: NVME.id,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'outside_change',
    boot_id: report.boot_id,
  });
  assert.is((await world.get(`/v1/pcis/${NVME.id}/state`)).json().status, 'disabled_on_reboot');
});

test('a change made while the service was down is repaired at start', async ({ world }) => {
  await world.stop();
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})`);
  await world.boot();
  const state = (await world.get(`/v1/pcis/${GPU.id}/state`)).json();
  assert.is(state.status, 'disabled_on_reboot');
  assert.is(state.last_change.cause, 'outside_change');
  assert.is((await world.get(`/v1/pgpus/${GPU.id}`)).json().dom0_access, 'disabled_on_reboot');
});

test('after a reconcile every projected status equals the live one', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NVME.id})`);
  await world.reboot();
  await world.post(`/v1/pcis/${GPU.id}/unhide`);
  await world.post('/v1/reconcile');
  for (const pci of (await world.get('/v1/pcis')).json()) {
    assert.is((await world.get(`/v1/pcis/${pci.id}/state`)).json().status, pci.dom0_access, pci.id);
  }
});

test('a change by hand before a command is recorded as such, before the command’s own event', async ({ world }) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NIC.id})`);
  const response = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  assert.is(response.statusCode, 200);
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  assert.equal(
    events.map((e: { type: string; data: { status: string; cause: string } }) => [e.type, e.data.status, e.data.cause]),
    [
      ['DeviceDiscovered', 'enabled', 'discovery'],
      ['Dom0AccessReconciled', 'disabled_on_reboot', 'outside_change'],
      ['Dom0AccessEnabled', 'enabled', 'command'],
    ],
  );
});

test('a command that finds its device already changed by hand records that, and the views follow at once', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NIC.id})`);
  const response = await world.post(`/v1/pcis/${NIC.id}/hide`);
  assert.is(response.json().changed, false);
  assert.is(world.passthru.projector.pci.devices[NIC.id as PciAddress]?.status, 'disabled_on_reboot');
  assert.is(world.passthru.projector.pci.devices[NIC.id as PciAddress]?.last_change.cause, 'outside_change');
});

test.run();

const broken = suite<{ world: World }>('a service whose start reconcile failed');
broken.before(async (context) => {
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  context.world = await World.start();
  delete process.env.PASSTHRU_SIMULATED_FAULT;
});
broken.after(async ({ world }) => world.close());

broken('is unhealthy and refuses commands until a reconcile succeeds, then works', async ({ world }) => {
  assert.is((await world.get('/healthz')).statusCode, 503);
  const refused = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(refused.statusCode, 503);
  assert.match(refused.json().detail, 'has not reconciled with the host yet');
  assert.is((await world.post('/v1/reconcile')).statusCode, 200);
  assert.is((await world.get('/healthz')).statusCode, 200);
  assert.is((await world.post(`/v1/pcis/${GPU.id}/hide`)).statusCode, 200);
  const { events } = (await world.get(`/v1/pcis/${GPU.id}/history`)).json();
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessDisabled'],
  );
});

broken.run();
