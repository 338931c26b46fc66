import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import {
  DATA_NVME,
  dataDisk,
  largeBlockSr,
  lvmSr,
  safetyHost,
  SATA,
  SPARE_NIC,
  SR_UUID,
} from '../support/safety-host.ts';
import { sriovCard, SRIOV_PF, SRIOV_VFS } from '../support/sriov-card.ts';
import { World } from '../support/world.ts';
import { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { WITH_IOMMU } from '../support/xl-world.ts';

const test = suite<{ hosts: KernelSysfs[]; worlds: World[] }>('what a hand-over now re-reads and refuses');
test.before.each((context) => {
  context.hosts = [];
  context.worlds = [];
});
test.after.each(async ({ hosts, worlds }) => {
  for (const world of worlds) await world.close();
  for (const sys of hosts) rmSync(sys.root, { recursive: true, force: true });
});

const DATA_SR = '9a1f3c2e-7b4d-4e8f-a0c1-2d3e4f5a6b7c';
const LARGE_SR = '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f';

/** The default host with the data disk and dom0's drivers bound, served with xl handing devices over, as `ready` makes it. */
async function serve(
  context: { hosts: KernelSysfs[]; worlds: World[] },
  ready: (sys: KernelSysfs) => KernelSysfs = (sys) => sys,
  env: Record<string, string> = {},
) {
  const sys = ready(dataDisk(safetyHost().bind(SPARE_NIC, 'igb')));
  context.hosts.push(sys);
  const dataDir = join(sys.root, 'var');
  const xl = new XcpNgTwin(join(sys.root, 'twin'), WITH_IOMMU, {
    sysfs: sys.root,
    dataDir,
    drivers: { [SPARE_NIC]: 'igb' },
  });
  const world = await World.start([], { ...sys.env, PASSTHRU_DATA_DIR: dataDir, ...xl.env, ...env });
  context.worlds.push(world);
  return { sys, world };
}

const record = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}`)).json();
const pending = async (world: World) => (await world.get('/v1/host')).json().pending;
const lastEvent = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}/history`)).json().events.at(-1);

test('given a local SR plugged on the data disk after the service started, when that disk is hidden now, then it is refused as local_sr, nothing changes, and its record says so', async (context) => {
  const { sys, world } = await serve(context);
  assert.is((await record(world, DATA_NVME)).protected, null, 'nothing uses the disk at start');
  lvmSr(sys, DATA_SR, ['nvme1n1'], ['dm-2', '253:2']);
  const response = await world.post(`/v1/pcis/${DATA_NVME}/hide`, { apply: 'now' });
  assert.is(response.statusCode, 409);
  const detail = `VG_XenStorage-${DATA_SR}, the local SR ${DATA_SR} through nvme1n1`;
  assert.equal([response.json().reason, response.json().path], ['local_sr', detail]);
  const nvme = await record(world, DATA_NVME);
  assert.equal([nvme.driver, nvme.dom0_access], ['nvme', 'enabled']);
  assert.equal(nvme.protected, [{ reason: 'local_sr', detail }]);
  assert.equal(await pending(world), []);
  const refused = await lastEvent(world, DATA_NVME);
  assert.equal([refused.type, refused.data.protected], ['Dom0AccessRefused', [{ reason: 'local_sr', detail }]]);
});

test('given an LVM SR over the SATA disk and the data disk, its MGT volume on the SATA disk and no volume active on the other, when the data disk is hidden now, then it is refused: LVM names every physical volume', async (context) => {
  const { world } = await serve(context, (sys) => sys.pv('nvme1n1', `VG_XenStorage-${SR_UUID}`));
  const response = await world.post(`/v1/pcis/${DATA_NVME}/hide`, { apply: 'now' });
  assert.is(response.statusCode, 409);
  const detail = `VG_XenStorage-${SR_UUID}, the local SR ${SR_UUID} through nvme1n1, sda3`;
  assert.equal([response.json().reason, response.json().path], ['local_sr', detail]);
  assert.equal((await record(world, SATA)).protected, [{ reason: 'local_sr', detail }]);
  assert.is((await record(world, DATA_NVME)).driver, 'nvme');
  assert.equal((await world.get('/v1/host')).json().safety_problems, []);
});

test('given an LVM SR and no pvs to ask, then GET /v1/host says only its active volumes’ disks are known; and a physical volume LVM cannot find is named', async (context) => {
  const { world } = await serve(context, (sys) => sys, { PASSTHRU_PVS: '' });
  assert.equal((await world.get('/v1/host')).json().safety_problems, [
    `VG_XenStorage-${SR_UUID}: only the disks under its active volumes are known, and no pvs is set (PASSTHRU_PVS) to ask LVM for its other physical volumes`,
  ]);
  const missing = await serve(context, (sys) => sys.pv('[unknown]', `VG_XenStorage-${SR_UUID}`));
  assert.equal((await missing.world.get('/v1/host')).json().safety_problems, [
    `VG_XenStorage-${SR_UUID}: LVM names a physical volume [unknown] that sysfs does not show, so its disk is not protected`,
  ]);
});

test('given a large-block SR on the data disk (a loop device over it), when a batch with the disk is hidden now, then the batch is refused as local_sr and the other device stays with dom0', async (context) => {
  const { world } = await serve(context, (sys) => largeBlockSr(sys, LARGE_SR, 'nvme1n1'));
  const response = await world.post('/v1/pcis/hide', { ids: [SPARE_NIC, DATA_NVME], apply: 'now' });
  assert.is(response.statusCode, 409);
  const detail = `/dev/mapper/XSLocalLargeBlock--${LARGE_SR.replace(/-/g, '--')}-${LARGE_SR.replace(/-/g, '--')} on /run/sr-mount/${LARGE_SR}, the local SR ${LARGE_SR} through nvme1n1`;
  assert.equal([response.json().reason, response.json().path], ['local_sr', detail]);
  assert.match(response.json().detail, 'the batch is refused, nothing changed');
  assert.equal([(await record(world, SPARE_NIC)).driver, (await record(world, DATA_NVME)).driver], ['igb', 'nvme']);
  assert.equal(await pending(world), []);
});

test('given an SR-IOV card with its virtual functions, when its physical function is hidden now, even with force, then 409 sriov_vfs_present names them and nothing changes; at next boot it is hidden', async (context) => {
  const { world } = await serve(context, (sys) => sriovCard(sys).bind(SRIOV_PF, 'mlx4_core'));
  for (const body of [{ apply: 'now' }, { apply: 'now', force: true }]) {
    const response = await world.post(`/v1/pcis/${SRIOV_PF}/hide`, body);
    assert.is(response.statusCode, 409);
    const problem = response.json();
    assert.is(problem.reason, 'sriov_vfs_present');
    assert.equal(problem.virtual_functions, SRIOV_VFS);
    assert.match(problem.detail, `${SRIOV_PF} has 15 SR-IOV virtual functions now (${SRIOV_VFS.join(', ')})`);
    assert.is((await record(world, SRIOV_PF)).driver, 'mlx4_core');
    assert.equal(await pending(world), []);
  }
  const batch = await world.post('/v1/pcis/hide', { ids: [SPARE_NIC, SRIOV_PF], apply: 'now' });
  assert.equal([batch.statusCode, batch.json().reason], [409, 'sriov_vfs_present']);
  assert.is((await record(world, SPARE_NIC)).driver, 'igb');
  const nextBoot = await world.post(`/v1/pcis/${SRIOV_PF}/hide`);
  assert.equal([nextBoot.statusCode, nextBoot.json().dom0_access], [200, 'disabled_on_reboot']);
});

test.run();
