import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelSysfs } from './kernel-sysfs.ts';

/** The functions of the host below, by what they are. */
export const ROOT_PORT = '0000:00:01.0';
export const NVME = '0000:01:00.0';
export const VGA = '0000:00:02.0';
export const GPU_PORT = '0000:00:03.0';
export const GPU = '0000:03:00.0';
export const GPU_AUDIO = '0000:03:00.1';
export const NIC_PORT = '0000:00:1c.0';
export const MANAGEMENT_NIC = '0000:02:00.0';
export const SPARE_PORT = '0000:00:1c.1';
export const SPARE_NIC = '0000:04:00.0';
export const PCI_BRIDGE = '0000:00:1e.0';
export const LEGACY_A = '0000:05:00.0';
export const LEGACY_B = '0000:05:01.0';
export const SATA = '0000:00:17.0';

export const ROOT_DETAIL = '/dev/mapper/vg-root on / through nvme0n1p2';
export const EFI_DETAIL = '/dev/nvme0n1p1 on /boot/efi';
export const MANAGEMENT_DETAIL = 'eth0, under xenbr0, the management interface';
export const SR_UUID = '5d2a9e3c-6b1f-4c8e-9d7a-0e1f2a3b4c5d';
export const SR_DETAIL = `VG_XenStorage-${SR_UUID}, the local SR ${SR_UUID} through sda3`;

/** A host with nothing in it yet, in a directory of its own. */
export const bareHost = () => new KernelSysfs(mkdtempSync(join(tmpdir(), 'passthru-sys-')));

/**
 * A XenServer-like dom0: `/` on LVM over an NVMe partition behind a root
 * port, `/boot/efi` on another partition of it, the management interface
 * xenbr0 an Open vSwitch bridge (XCP-ng's default) over a NIC behind another root port and a guest's vif, an integrated boot VGA, a GPU
 * and its audio function sharing an IOMMU group, a spare NIC, and two old PCI
 * cards behind a conventional bridge, and a SATA disk holding the local LVM SR.
 */
export function safetyHost(): KernelSysfs {
  const sys = bareHost()
    .pci({ id: ROOT_PORT, class: '0x060400', express: true })
    .pci({ id: NVME, class: '0x010802', vendor: '0x144d', device: '0xa808', parent: ROOT_PORT, express: true })
    .disk('nvme0n1', '259:0', NVME, 'nvme/nvme0')
    .partition('nvme0n1p1', '259:1', 'nvme0n1')
    .partition('nvme0n1p2', '259:2', 'nvme0n1')
    .stacked('dm-0', '253:0', ['nvme0n1p2'])
    .mount('/', '253:0', '/dev/mapper/vg-root')
    .mount('/boot/efi', '259:1', '/dev/nvme0n1p1', 'vfat')
    .pci({ id: VGA, class: '0x030000', vendor: '0x8086', bootVga: true })
    .pci({ id: GPU_PORT, class: '0x060400', express: true, iommuGroup: 7 })
    .pci({
      id: GPU,
      class: '0x030000',
      vendor: '0x10de',
      parent: GPU_PORT,
      express: true,
      bootVga: false,
      iommuGroup: 7,
    })
    .pci({ id: GPU_AUDIO, class: '0x040300', vendor: '0x10de', parent: GPU_PORT, express: true, iommuGroup: 7 })
    .pci({ id: NIC_PORT, class: '0x060400', express: true })
    .pci({ id: MANAGEMENT_NIC, class: '0x020000', vendor: '0x8086', parent: NIC_PORT, express: true })
    .nic('eth0', MANAGEMENT_NIC)
    .ovsBridge('xenbr0', ['eth0', 'vif1.0'])
    .managementInterface('xenbr0')
    .pci({ id: SPARE_PORT, class: '0x060400', express: true })
    .pci({ id: SPARE_NIC, class: '0x020000', vendor: '0x8086', parent: SPARE_PORT, express: true })
    .nic('eth1', SPARE_NIC)
    .pci({ id: SATA, class: '0x010601', vendor: '0x8086' })
    .disk('sda', '8:0', SATA, 'ata1/host0/target0:0:0/0:0:0:0/block')
    .partition('sda3', '8:3', 'sda');
  return lvmSr(sys, SR_UUID, ['sda3'], ['dm-1', '253:1'])
    .pci({ id: PCI_BRIDGE, class: '0x060401', vendor: '0x8086' })
    .pci({ id: LEGACY_A, class: '0x020000', parent: PCI_BRIDGE })
    .pci({ id: LEGACY_B, class: '0x078000', parent: PCI_BRIDGE });
}

export const ISCSI_MANAGEMENT_NIC = '0000:00:03.0';
export const ISCSI_NIC = '0000:00:04.0';
export const ISCSI_SPARE_NIC = '0000:00:05.0';
export const ISCSI_DETAIL = '/dev/sdb1 on /, on iSCSI, its target 192.0.2.10 reached through eth1, under xenbr1';

/**
 * A dom0 booted from iSCSI with the software initiator: `/` on a LUN whose
 * portal 192.0.2.10 is routed through xenbr1, an Open vSwitch bridge over eth1;
 * the management interface xenbr0 over eth0 holds the default route; eth2 is spare.
 * With no portal (null), the session's connection shows no address.
 */
export function iscsiHost(portal: string | null = '192.0.2.10'): KernelSysfs {
  return bareHost()
    .pci({ id: ISCSI_MANAGEMENT_NIC, class: '0x020000' })
    .pci({ id: ISCSI_NIC, class: '0x020000' })
    .pci({ id: ISCSI_SPARE_NIC, class: '0x020000' })
    .nic('eth0', ISCSI_MANAGEMENT_NIC)
    .nic('eth1', ISCSI_NIC)
    .nic('eth2', ISCSI_SPARE_NIC)
    .ovsBridge('xenbr0', ['eth0'])
    .ovsBridge('xenbr1', ['eth1'])
    .managementInterface('xenbr0')
    .defaultRoute('xenbr0')
    .route('xenbr1', '192.0.2.0/24')
    .iscsiDisk('sdb', '8:16', {
      host: 3,
      session: 1,
      ...(portal === null ? {} : { address: portal, persistentAddress: portal }),
    })
    .partition('sdb1', '8:17', 'sdb')
    .mount('/', '8:17', '/dev/sdb1');
}

export const DATA_PORT = '0000:00:1d.0';
export const DATA_NVME = '0000:07:00.0';

/** A second NVMe disk, `nvme1n1`, behind a root port of its own, dom0's nvme driver bound: where a local SR goes. */
export function dataDisk(sys: KernelSysfs): KernelSysfs {
  return sys
    .pci({ id: DATA_PORT, class: '0x060400', express: true })
    .pci({ id: DATA_NVME, class: '0x010802', vendor: '0x144d', device: '0xa808', parent: DATA_PORT, express: true })
    .bind(DATA_NVME, 'nvme')
    .disk('nvme1n1', '259:8', DATA_NVME, 'nvme/nvme1');
}

/** How device-mapper names a logical volume: `VG-LV`, the dashes of each doubled. */
const dmName = (group: string, volume: string) => `${group.replace(/-/g, '--')}-${volume.replace(/-/g, '--')}`;

/**
 * An LVM SR as xapi's storage manager plugs one (sm's LVHDSR): its volume
 * group `VG_XenStorage-<uuid>` over physical volumes on `disks`, the MGT
 * volume active on the first (`dm`: its device-mapper name and number), none on the others.
 */
export function lvmSr(sys: KernelSysfs, uuid: string, disks: readonly string[], dm: [string, string]): KernelSysfs {
  const group = `VG_XenStorage-${uuid}`;
  for (const disk of disks) sys.pv(disk, group);
  return sys.stacked(dm[0], dm[1], disks.slice(0, 1), dmName(group, 'MGT'));
}

/**
 * XCP-ng's large-block SR as sm's LargeBlockSR.py plugs one on a 4 KiB-sector
 * disk: `losetup --sector-size 512` over the disk itself, the volume group
 * `XSLocalLargeBlock-<uuid>` over that loop device, its one volume `<uuid>`
 * an EXT file system mounted on `/run/sr-mount/<uuid>` (EXTSR.attach).
 */
export function largeBlockSr(sys: KernelSysfs, uuid: string, disk: string): KernelSysfs {
  const volume = dmName(`XSLocalLargeBlock-${uuid}`, uuid);
  return sys
    .loop('loop0', '7:0', `/dev/${disk}`)
    .stacked('dm-3', '253:3', ['loop0'], volume)
    .mount(`/run/sr-mount/${uuid}`, '253:3', `/dev/mapper/${volume}`);
}
