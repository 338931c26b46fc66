import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { DATA_NVME, dataDisk, largeBlockSr, lvmSr, safetyHost, SR_UUID } from '../support/safety-host.ts';
import { World } from '../support/world.ts';
import { failure, LOGIN, serve, xmlRpc } from './support.ts';

const test = suite<{ sys: KernelSysfs; world: World; url: string }>('XAPI and the disks of local SRs');
test.after.each(async ({ world, sys }) => {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

const DATA_SR = '9a1f3c2e-7b4d-4e8f-a0c1-2d3e4f5a6b7c';
const LARGE_SR = '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f';
const refused = (sr: string) =>
  failure('OPERATION_NOT_ALLOWED', `the disks of the local storage repository ${sr} are behind it`);

/** The default host with the data disk, as `ready` makes it, served on a real port. */
async function start(context: { sys: KernelSysfs; world: World; url: string }, ready = (sys: KernelSysfs) => sys) {
  context.sys = ready(dataDisk(safetyHost()));
  context.world = await World.start([], context.sys.env);
  context.url = await serve(context.world);
}

test('given a local SR plugged on the data disk after the service started, when xmlrpc.client disables the disk’s dom0 access, then it is refused and its record says why', async (context) => {
  await start(context);
  lvmSr(context.sys, DATA_SR, ['nvme1n1'], ['dm-2', '253:2']);
  const [, disable, record] = await xmlRpc(context.url, [
    LOGIN,
    ['PCI.disable_dom0_access', '$session', `$PCI:${DATA_NVME}`],
    ['PCI.get_record', '$session', `$PCI:${DATA_NVME}`],
  ]);
  assert.equal(disable, refused(DATA_SR));
  assert.equal(JSON.parse(record.Value.other_config.protected), [
    { reason: 'local_sr', detail: `VG_XenStorage-${DATA_SR}, the local SR ${DATA_SR} through nvme1n1` },
  ]);
  assert.equal((await context.world.get('/v1/host')).json().pending, []);
});

test('given an LVM SR over two disks with no volume active on the second, when xmlrpc.client disables the second disk’s dom0 access, then it is refused', async (context) => {
  await start(context, (sys) => sys.pv('nvme1n1', `VG_XenStorage-${SR_UUID}`));
  const [, disable] = await xmlRpc(context.url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${DATA_NVME}`]]);
  assert.equal(disable, refused(SR_UUID));
});

test('given a large-block SR on the data disk, when xmlrpc.client disables the disk’s dom0 access, then it is refused', async (context) => {
  await start(context, (sys) => largeBlockSr(sys, LARGE_SR, 'nvme1n1'));
  const [, disable] = await xmlRpc(context.url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${DATA_NVME}`]]);
  assert.equal(disable, refused(LARGE_SR));
});

test.run();
