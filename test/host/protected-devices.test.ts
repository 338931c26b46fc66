import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { readHostSafety } from '../../services/host/safety/protected-devices.ts';
import { KernelSysfs } from '../support/kernel-sysfs.ts';

const test = suite<{ sys: KernelSysfs }>('protected devices read from sysfs');
test.before.each((context) => {
  context.sys = new KernelSysfs(mkdtempSync(join(tmpdir(), 'passthru-sys-')));
});
test.after.each(({ sys }) => rmSync(sys.root, { recursive: true, force: true }));

const identity = (id: string, class_id: string): DeviceIdentity => ({
  id: id as PciAddress,
  class_id,
  class_name: '',
  vendor_id: '1234',
  vendor_name: '',
  device_id: '5678',
  device_name: '',
});

async function protections(
  sys: KernelSysfs,
  devices: [string, string][],
  ovsVsctl: string | null = sys.ovs.program,
  pvs: string | null = sys.lvm.program,
) {
  const safety = await readHostSafety(
    sys.safetyPaths(ovsVsctl, pvs),
    devices.map(([id, cls]) => identity(id, cls)),
    5000,
  );
  const found = Object.fromEntries(
    [...safety.devices].map(([id, d]) => [id, d.protections.map((p) => `${p.reason}: ${p.detail} [${p.subject}]`)]),
  );
  return { found, problems: safety.problems };
}

test('given / on md RAID 1 over disks on two controllers, when read, then both controllers and their ports are boot devices', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:17.0', class: '0x010601', express: false })
    .pci({ id: '0000:00:1d.0', class: '0x060400', express: true })
    .pci({ id: '0000:02:00.0', class: '0x010601', parent: '0000:00:1d.0', express: true })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .partition('sda1', '8:1', 'sda')
    .disk('sdb', '8:16', '0000:02:00.0', 'ata3/host2/target2:0:0/2:0:0:0/block')
    .partition('sdb1', '8:17', 'sdb')
    .stacked('md0', '9:0', ['sda1', 'sdb1'])
    .mount('/', '9:0', '/dev/md0')
    .mount('/var/lib/data', '8:2', '/dev/sda2');
  const { found, problems } = await protections(sys, [
    ['0000:00:17.0', '010601'],
    ['0000:00:1d.0', '060400'],
    ['0000:02:00.0', '010601'],
  ]);
  const detail = 'boot_device: /dev/md0 on / through sda1, sdb1 [/dev/md0]';
  assert.equal(found, { '0000:00:17.0': [detail], '0000:00:1d.0': [detail], '0000:02:00.0': [detail] });
  assert.equal(problems, [
    'no management interface in ' + sys.xensourceInventory + ' and no default route in ' + sys.netRoute,
  ]);
});

test('given / on a partition of md RAID 1, as XCP-ng’s installer makes it, when read, then the disks under the array are boot devices', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .pci({ id: '0000:00:18.0', class: '0x010601' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .disk('sdb', '8:16', '0000:00:18.0', 'ata2/host1/target1:0:0/1:0:0:0/block')
    .stacked('md127', '9:127', ['sda', 'sdb'])
    .partition('md127p1', '259:0', 'md127')
    .mount('/', '259:0', '/dev/md127p1');
  const { found } = await protections(sys, [
    ['0000:00:17.0', '010601'],
    ['0000:00:18.0', '010601'],
  ]);
  const detail = 'boot_device: /dev/md127p1 on / through sda, sdb [/dev/md127p1]';
  assert.equal(found, { '0000:00:17.0': [detail], '0000:00:18.0': [detail] });
});

test('given a local LVM SR and an EXT SR on disks of their own, when read, then their controllers are local_sr, the root’s disk is not', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .pci({ id: '0000:00:18.0', class: '0x010601' })
    .pci({ id: '0000:00:19.0', class: '0x010802' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .disk('sdb', '8:16', '0000:00:18.0', 'ata2/host1/target1:0:0/1:0:0:0/block')
    .disk('nvme0n1', '259:0', '0000:00:19.0', 'nvme/nvme0')
    .stacked('dm-0', '253:0', ['sda'], 'VG_XenStorage--1a2b--3c4d-VHD--9f8e')
    .stacked('dm-1', '253:1', ['sda'], 'VG_XenStorage--1a2b--3c4d-MGT')
    .stacked('dm-2', '253:2', ['sdb'], 'XSLocalEXT--5e6f-5e6f')
    .stacked('dm-3', '253:3', ['nvme0n1'], 'vg--root-lv')
    .mount('/run/sr-mount/5e6f', '253:2', '/dev/mapper/XSLocalEXT--5e6f-5e6f')
    .mount('/', '253:3', '/dev/mapper/vg--root-lv');
  const { found } = await protections(sys, [
    ['0000:00:17.0', '010601'],
    ['0000:00:18.0', '010601'],
    ['0000:00:19.0', '010802'],
  ]);
  assert.equal(found, {
    '0000:00:17.0': [
      'local_sr: VG_XenStorage-1a2b-3c4d, the local SR 1a2b-3c4d through sda [the disks of the local storage repository 1a2b-3c4d are behind it]',
    ],
    '0000:00:18.0': [
      'local_sr: /dev/mapper/XSLocalEXT--5e6f-5e6f on /run/sr-mount/5e6f, the local SR 5e6f through sdb [the disks of the local storage repository 5e6f are behind it]',
    ],
    '0000:00:19.0': ['boot_device: /dev/mapper/vg--root-lv on / through nvme0n1 [/dev/mapper/vg--root-lv]'],
  });
});

test('given / on btrfs over two disks, /boot on an NVMe multipath head, and /boot/efi on ZFS, when read, then each disk’s controller is protected and ZFS is a problem', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .pci({ id: '0000:00:18.0', class: '0x010601' })
    .pci({ id: '0000:00:19.0', class: '0x010802' })
    .pci({ id: '0000:00:1a.0', class: '0x010802' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .disk('sdb', '8:16', '0000:00:18.0', 'ata2/host1/target1:0:0/1:0:0:0/block')
    .btrfs('0f4c6a52-7c1d-4b9e-a1a4-3c5e7d9f1b2a', ['sda', 'sdb'])
    .mount('/', '0:33', '/dev/sda', 'btrfs')
    .nvmeHead('nvme0n1', '259:0', 'nvme-subsys0', { nvme0: '0000:00:19.0', nvme1: '0000:00:1a.0' })
    .mount('/boot', '259:0', '/dev/nvme0n1')
    .mount('/boot/efi', '0:40', 'rpool/efi', 'zfs');
  const { found, problems } = await protections(sys, [
    ['0000:00:17.0', '010601'],
    ['0000:00:18.0', '010601'],
    ['0000:00:19.0', '010802'],
    ['0000:00:1a.0', '010802'],
  ]);
  const root = 'boot_device: /dev/sda on / through sda, sdb [/dev/sda]';
  const boot = 'boot_device: /dev/nvme0n1 on /boot [/dev/nvme0n1]';
  assert.equal(found, {
    '0000:00:17.0': [root],
    '0000:00:18.0': [root],
    '0000:00:19.0': [boot],
    '0000:00:1a.0': [boot],
  });
  assert.equal(problems, [
    "/boot/efi is on ZFS (rpool/efi): sysfs does not show a pool's disks, so they are not protected",
    'no management interface in ' + sys.xensourceInventory + ' and no default route in ' + sys.netRoute,
  ]);
});

test('given / on iSCSI, its portal reached over a bridge on a bond and its session redirected to a portal on another NIC, when read, then the NICs of both routes are boot devices, not the default route’s', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .pci({ id: '0000:00:04.0', class: '0x020000' })
    .pci({ id: '0000:00:04.1', class: '0x020000' })
    .pci({ id: '0000:00:1c.0', class: '0x060400', express: true })
    .pci({ id: '0000:02:00.0', class: '0x020000', parent: '0000:00:1c.0', express: true })
    .nic('eth0', '0000:00:03.0')
    .nic('eth1', '0000:00:04.0')
    .nic('eth2', '0000:00:04.1')
    .nic('eth3', '0000:02:00.0')
    .bridge('xenbr0', ['eth0'])
    .bond('bond0', ['eth1', 'eth2'])
    .bridge('xenbr1', ['bond0'])
    .managementInterface('xenbr0')
    .defaultRoute('xenbr0')
    .route('xenbr0', '192.0.0.0/16')
    .route('xenbr1', '192.0.2.0/24')
    .route('eth3', '198.51.100.0/24')
    .iscsiDisk('sdb', '8:16', { host: 3, session: 1, address: '198.51.100.7', persistentAddress: '192.0.2.10' })
    .partition('sdb1', '8:17', 'sdb')
    .mount('/', '8:17', '/dev/sdb1');
  const { found, problems } = await protections(sys, [
    ['0000:00:03.0', '020000'],
    ['0000:00:04.0', '020000'],
    ['0000:00:04.1', '020000'],
    ['0000:00:1c.0', '060400'],
    ['0000:02:00.0', '020000'],
  ]);
  const portal = (nic: string) =>
    `boot_device: /dev/sdb1 on /, on iSCSI, its target 192.0.2.10 reached through ${nic}, under xenbr1 [/dev/sdb1]`;
  const redirected = 'boot_device: /dev/sdb1 on /, on iSCSI, its target 198.51.100.7 reached through eth3 [/dev/sdb1]';
  assert.equal(found, {
    '0000:00:03.0': ['management_interface: eth0, under xenbr0, the management interface [xenbr0]'],
    '0000:00:04.0': [portal('eth1')],
    '0000:00:04.1': [portal('eth2')],
    '0000:00:1c.0': [redirected],
    '0000:02:00.0': [redirected],
  });
  assert.equal(problems, []);
});

test('given boot mounts on iSCSI sessions with no portal address, no route to the portal, and a route to an interface with no NIC, when read, then each is a problem', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .nic('eth0', '0000:00:03.0')
    .managementInterface('eth0')
    .bridge('xenbr1', [])
    .route('eth0', '10.0.0.0/8')
    .route('xenbr1', '192.0.2.0/24')
    .iscsiDisk('sdb', '8:16', { host: 3, session: 1 })
    .iscsiDisk('sdc', '8:32', { host: 4, session: 2, persistentAddress: '203.0.113.5' })
    .iscsiDisk('sdd', '8:48', { host: 5, session: 3, address: '192.0.2.10' })
    .mount('/', '8:16', '/dev/sdb')
    .mount('/boot', '8:32', '/dev/sdc')
    .mount('/boot/efi', '8:48', '/dev/sdd', 'vfat');
  const { found, problems } = await protections(sys, [['0000:00:03.0', '020000']]);
  assert.equal(found, { '0000:00:03.0': ['management_interface: eth0, the management interface [eth0]'] });
  assert.equal(problems, [
    '/ is on the iSCSI disk sdb, and session1 shows no target address, so the NICs that reach its target are not protected',
    `/boot is on the iSCSI disk sdc, and no IPv4 route in ${sys.netRoute} reaches its target 203.0.113.5, so the NICs that reach it are not protected`,
    '/boot/efi is on the iSCSI disk sdd, its target 192.0.2.10 reached through xenbr1, and xenbr1 leads to no PCI device',
  ]);
});

test('given no XenServer inventory, when read, then the NIC of the default route is the management one', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .pci({ id: '0000:00:04.0', class: '0x020000' })
    .nic('eth0', '0000:00:03.0')
    .nic('eth1', '0000:00:04.0')
    .defaultRoute('eth1');
  const { found } = await protections(sys, [
    ['0000:00:03.0', '020000'],
    ['0000:00:04.0', '020000'],
  ]);
  assert.equal(found, {
    '0000:00:03.0': [],
    '0000:00:04.0': ['management_interface: eth1, the interface of the default route [eth1]'],
  });
});

test('given a management bridge over a bond of two NICs, when read, then both NICs are protected', async ({ sys }) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .pci({ id: '0000:00:03.1', class: '0x020000' })
    .pci({ id: '0000:00:05.0', class: '0x020000' })
    .nic('eth0', '0000:00:03.0')
    .nic('eth1', '0000:00:03.1')
    .nic('eth2', '0000:00:05.0')
    .bond('bond0', ['eth0', 'eth1'])
    .bridge('xapi1', ['bond0'])
    .managementInterface('xapi1')
    .defaultRoute('eth2');
  const { found } = await protections(sys, [
    ['0000:00:03.0', '020000'],
    ['0000:00:03.1', '020000'],
    ['0000:00:05.0', '020000'],
  ]);
  assert.equal(found, {
    '0000:00:03.0': ['management_interface: eth0, under xapi1, the management interface [xapi1]'],
    '0000:00:03.1': ['management_interface: eth1, under xapi1, the management interface [xapi1]'],
    '0000:00:05.0': [],
  });
});

test('given XCP-ng’s default network, xenbr0 on Open vSwitch over eth0, when read, then the NIC and its port are protected', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:1c.0', class: '0x060400', express: true })
    .pci({ id: '0000:02:00.0', class: '0x020000', parent: '0000:00:1c.0', express: true })
    .pci({ id: '0000:00:05.0', class: '0x020000' })
    .nic('eth0', '0000:02:00.0')
    .nic('eth1', '0000:00:05.0')
    .ovsBridge('xenbr0', ['eth0', 'vif1.0'])
    .managementInterface('xenbr0');
  const { found, problems } = await protections(sys, [
    ['0000:00:1c.0', '060400'],
    ['0000:02:00.0', '020000'],
    ['0000:00:05.0', '020000'],
  ]);
  const management = 'management_interface: eth0, under xenbr0, the management interface [xenbr0]';
  assert.equal(found, { '0000:00:1c.0': [management], '0000:02:00.0': [management], '0000:00:05.0': [] });
  assert.equal(problems, []);
});

test('given the management interface on a VLAN of an Open vSwitch bridge over a bond of two NICs, when read, then both NICs are protected', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .pci({ id: '0000:00:03.1', class: '0x020000' })
    .pci({ id: '0000:00:05.0', class: '0x020000' })
    .nic('eth0', '0000:00:03.0')
    .nic('eth1', '0000:00:03.1')
    .nic('eth2', '0000:00:05.0')
    .ovsBridge('xapi0', ['eth0', 'eth1'])
    .ovsVlan('xapi1', 'xapi0')
    .managementInterface('xapi1');
  const { found, problems } = await protections(sys, [
    ['0000:00:03.0', '020000'],
    ['0000:00:03.1', '020000'],
    ['0000:00:05.0', '020000'],
  ]);
  assert.equal(found, {
    '0000:00:03.0': ['management_interface: eth0, under xapi1, the management interface [xapi1]'],
    '0000:00:03.1': ['management_interface: eth1, under xapi1, the management interface [xapi1]'],
    '0000:00:05.0': [],
  });
  assert.equal(problems, []);
});

test('given an Open vSwitch management bridge and no ovs-vsctl, or one that does not know it, when read, then the problems say why nothing is protected', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:03.0', class: '0x020000' })
    .nic('eth0', '0000:00:03.0')
    .ovsBridge('xenbr0', ['eth0'])
    .managementInterface('xenbr0');
  const none = await protections(sys, [['0000:00:03.0', '020000']], null);
  assert.equal(none.found, { '0000:00:03.0': [] });
  assert.equal(none.problems, [
    'the management interface xenbr0 leads to no PCI device in sysfs, and no ovs-vsctl is set to ask Open vSwitch (ovs-system) for its ports',
  ]);
  sys.managementInterface('xenbr9').ovsVlan('xenbr9', 'xenbr0');
  sys.ovs.bridge('xenbr0', ['vif1.0']);
  const vifs = await protections(sys, [['0000:00:03.0', '020000']]);
  assert.equal(vifs.problems, [
    'the management interface xenbr9 leads to no PCI device: Open vSwitch has vif1.0 on xenbr0',
  ]);
  sys.managementInterface('xenbr7');
  const unknown = await protections(sys, [['0000:00:03.0', '020000']]);
  assert.equal(unknown.problems, [
    `the management interface xenbr7 leads to no PCI device in sysfs, and Open vSwitch cannot say what is under it: ${sys.ovs.program} br-to-parent xenbr7: exited with 1: ovs-vsctl: no bridge named xenbr7`,
  ]);
});

test('given no readable mountinfo and a management interface with no PCI device, when read, then the problems say so', async ({
  sys,
}) => {
  rmSync(sys.mountinfo);
  sys.managementInterface('xenbr9');
  const { found, problems } = await protections(sys, []);
  assert.equal(found, {});
  assert.equal(problems, [
    `cannot read ${sys.mountinfo} (ENOENT): boot devices are not protected`,
    'the management interface xenbr9 leads to no PCI device',
  ]);
});

test('given / on an overlay and a mount of a device sysfs does not show, when read, then only the latter is a problem', async ({
  sys,
}) => {
  sys.mount('/', '0:31', 'overlay', 'overlay').mount('/boot', '8:1', '/dev/sda1').defaultRoute('eth0');
  const { problems } = await protections(sys, []);
  assert.equal(problems, ['no block device 8:1 for /boot', 'the management interface eth0 leads to no PCI device']);
});

test('given a local SR on a multipath device that LVM names /dev/mapper/mpatha and no active volume, when read, then both HBAs on its paths protect it', async ({
  sys,
}) => {
  const group = 'VG_XenStorage-4e5f6a7b-0000-4000-8000-000000000002';
  sys
    .pci({ id: '0000:03:00.0', class: '0x010700' })
    .pci({ id: '0000:04:00.0', class: '0x010700' })
    .disk('sdc', '8:32', '0000:03:00.0', 'host4/target4:0:0/4:0:0:0/block')
    .disk('sdd', '8:48', '0000:04:00.0', 'host5/target5:0:0/5:0:0:0/block')
    .stacked('dm-4', '253:4', ['sdc', 'sdd'], 'mpatha');
  sys.lvm.pv('/dev/mapper/mpatha', group);
  const { found, problems } = await protections(sys, [
    ['0000:03:00.0', '010700'],
    ['0000:04:00.0', '010700'],
  ]);
  const detail = `local_sr: ${group}, the local SR 4e5f6a7b-0000-4000-8000-000000000002 through sdc, sdd [the disks of the local storage repository 4e5f6a7b-0000-4000-8000-000000000002 are behind it]`;
  assert.equal(found, { '0000:03:00.0': [detail], '0000:04:00.0': [detail] });
  assert.equal(
    problems.filter((p) => p.includes('LVM') || p.includes('VG_')),
    [],
  );
});

test('given a pvs that cannot run, when read, then the active volumes’ disks are protected and the problem says LVM could not be asked', async ({
  sys,
}) => {
  sys
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .stacked('dm-1', '253:1', ['sda'], 'VG_XenStorage--5d2a-MGT');
  const missing = join(sys.root, 'no-pvs');
  const { found, problems } = await protections(sys, [['0000:00:17.0', '010601']], sys.ovs.program, missing);
  assert.equal(found, {
    '0000:00:17.0': [
      'local_sr: VG_XenStorage-5d2a, the local SR 5d2a through sda [the disks of the local storage repository 5d2a are behind it]',
    ],
  });
  assert.equal(
    problems.filter((p) => p.startsWith('LVM')),
    [
      `LVM cannot say which disks the local SRs are on (${missing} --readonly --config global{activation=0} --noheadings --separator | -o pv_name,vg_name: cannot run (ENOENT)): only the disks under their active volumes are protected`,
    ],
  );
});

test.run();
