import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PciAddress } from '../../domain/pci-address.ts';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';
import type { StoredEvent } from '../../services/store/event-store.ts';
import { eventually } from '../support/eventually.ts';
import { GPU, NIC, NVME, World } from '../support/world.ts';

const test = suite<{ world: World }>('changes by hand become events with no read');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => world.close());

// Read from the store itself: no status read of the service runs meanwhile.
const outsideChanges = async (world: World, pci: string) =>
  (await world.passthru.store.readAll()).filter(
    (e: StoredEvent) =>
      e.type === 'Dom0AccessReconciled' &&
      (e.data as { pci: string; cause: string }).pci === pci &&
      (e.data as { cause: string }).cause === 'outside_change',
  );

test('xen-cmdline run by hand is recorded as an outside change of each device it moved', async ({ world }) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NVME.id})`);
  const [gpu] = await eventually(async () => {
    const found = await outsideChanges(world, GPU.id);
    return found.length > 0 && found;
  }, 'the GPU recorded');
  const [nvme] = await eventually(async () => {
    const found = await outsideChanges(world, NVME.id);
    return found.length > 0 && found;
  }, 'the NVMe recorded');
  assert.equal(gpu!.data, {
    pci: GPU.id,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'outside_change',
    boot_id: (await world.get('/v1/host')).json().boot_id,
  });
  assert.is(gpu!.metadata.actor, 'boot-config-watcher');
  assert.is(gpu!.metadata.trigger, 'boot_config_change');
  assert.is((nvme!.data as { status: string }).status, 'disabled_on_reboot');
  assert.equal(await outsideChanges(world, NIC.id), []);
  assert.is(world.passthru.projector.pci.devices[GPU.id as PciAddress]?.status, 'disabled_on_reboot');
});

test('a file edited in place, not replaced, is noticed too', async ({ world }) => {
  const file = simulatedHostFiles(world.config.dataDir).bootConfig;
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(/(module2 \/boot\/vmlinuz\S* .*)/g, `$1 xen-pciback.hide=(${NIC.id})`),
  );
  await eventually(async () => (await outsideChanges(world, NIC.id)).length > 0, 'the NIC recorded');
});

test('a command that gets there first records the change by hand once, and the watcher adds nothing', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NIC.id})`);
  await world.post(`/v1/pcis/${NIC.id}/unhide`);
  // The watcher handles changes in order: once a later one is recorded, it has been through the first.
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NVME.id})`);
  await eventually(async () => (await outsideChanges(world, NVME.id)).length > 0, 'the later change recorded');
  assert.is((await outsideChanges(world, NIC.id)).length, 1);
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessReconciled', 'Dom0AccessEnabled'],
  );
});

test('a reconcile racing the watcher leaves one record of the change', async ({ world }) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})`);
  await world.post('/v1/reconcile');
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NVME.id})`);
  await eventually(async () => (await outsideChanges(world, NVME.id)).length > 0, 'the later change recorded');
  assert.is((await outsideChanges(world, GPU.id)).length, 1);
});

test("a command's own write is no change by hand: the watcher runs no xen-cmdline in the way of the next command", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-own-write-'));
  const runs = join(dir, 'runs.log');
  const dataDir = join(dir, 'var');
  // Logs each run of xen-cmdline, then runs the simulated host's stand-in.
  const counting = join(dir, 'xen-cmdline');
  writeFileSync(counting, `#!/bin/sh\necho "$1" >> '${runs}'\nexec '${dataDir}/host/xen-cmdline' "$@"\n`);
  chmodSync(counting, 0o755);
  const world = await World.start(undefined, { PASSTHRU_DATA_DIR: dataDir, PASSTHRU_XEN_CMDLINE: counting });
  try {
    await world.post(`/v1/pcis/${GPU.id}/hide`);
    const afterCommand = readFileSync(runs, 'utf8');
    await world.settled();
    assert.is(readFileSync(runs, 'utf8'), afterCommand);
    world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NIC.id})`);
    await eventually(async () => (await outsideChanges(world, NIC.id)).length > 0, 'the change by hand recorded');
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a change by hand to another device just before a command is recorded, though the command's write follows it", async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${NVME.id})`);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.settled();
  const [nvme] = await outsideChanges(world, NVME.id);
  assert.is((nvme?.data as { status: string } | undefined)?.status, 'disabled_on_reboot');
});

test.run();
