import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { readPciTopology } from '../../services/host/pci-topology.ts';
import { readHostSafety } from '../../services/host/safety/protected-devices.ts';
import { KernelSysfs } from '../support/kernel-sysfs.ts';
import { sriovCard, SRIOV_PF, SRIOV_PORT, SRIOV_VFS } from '../support/sriov-card.ts';

const test = suite<{ sys: KernelSysfs; inventory: DeviceIdentity[] }>('PCI topology read from sysfs');

const GPU = '0000:07:00.0';
const GPU_AUDIO = '0000:07:00.1';

test.before.each((context) => {
  context.sys = sriovCard(new KernelSysfs(mkdtempSync(join(tmpdir(), 'passthru-sys-'))))
    .pci({ id: '0000:00:1c.3', class: '0x060400', express: true })
    .pci({ id: GPU, class: '0x030000', parent: '0000:00:1c.3', express: true })
    .pci({ id: GPU_AUDIO, class: '0x040300', parent: '0000:00:1c.3', express: true });
  context.inventory = [
    [SRIOV_PORT, '060400'],
    [SRIOV_PF, '020000'],
    ...SRIOV_VFS.map((id) => [id, '020000']),
    ['0000:00:1c.3', '060400'],
    [GPU, '030000'],
    [GPU_AUDIO, '040300'],
  ].map(([id, class_id]) => ({
    id: id as PciAddress,
    class_id: class_id!,
    class_name: '',
    vendor_id: '15b3',
    vendor_name: '',
    device_id: '1007',
    device_name: '',
  }));
});
test.after.each(({ sys }) => rmSync(sys.root, { recursive: true, force: true }));

test('given an SR-IOV card with ARI, when the topology is read, then each virtual function names its physical function and every other function none', async ({
  sys,
  inventory,
}) => {
  const { placements } = await readPciTopology(join(sys.root, 'bus', 'pci', 'devices'), inventory);
  assert.equal(
    Object.fromEntries(placements.map((p) => [p.id, p.physfn])),
    Object.fromEntries([
      [SRIOV_PORT, null],
      [SRIOV_PF, null],
      ...SRIOV_VFS.map((id) => [id, SRIOV_PF]),
      ['0000:00:1c.3', null],
      [GPU, null],
      [GPU_AUDIO, null],
    ]),
  );
  assert.equal(placements.find((p) => p.id === SRIOV_VFS[14])!.path, [SRIOV_PORT, '0000:06:01.7']);
});

test('given an SR-IOV card with ARI beside a GPU and its audio function, when dependencies are read, then the card has none and the GPU keeps its audio function', async ({
  sys,
  inventory,
}) => {
  const safety = await readHostSafety(sys.safetyPaths(), inventory, 5000);
  assert.equal(
    Object.fromEntries([...safety.devices].map(([id, d]) => [id, d.dependencies])),
    Object.fromEntries([
      [SRIOV_PORT, []],
      [SRIOV_PF, []],
      ...SRIOV_VFS.map((id) => [id, []]),
      ['0000:00:1c.3', []],
      [GPU, [GPU_AUDIO]],
      [GPU_AUDIO, [GPU]],
    ]),
  );
});

test.run();
