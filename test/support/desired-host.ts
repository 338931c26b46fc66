import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bareHost } from './safety-host.ts';
import type { KernelSysfs } from './kernel-sysfs.ts';

export const BOOT_NVME = '0000:01:00.0';
export const NIC = '0000:04:00.0';
/** The slot the GPU card sits in unless moved, and the one it is moved to. */
export const SLOT = '0000:03:00';
export const MOVED_SLOT = '0000:82:00';
/** An NVIDIA card: the GPU (10de:1db4, a 3D controller) and its HDMI audio function (10de:10f2), both with the board maker's ids. */
export const GPU_MATCH = { vendor: '10de', device: '1db4' };
export const AUDIO_MATCH = { vendor: '10de', device: '10f2' };
export const BOARD = { subsystem_vendor: '10de', subsystem_device: '1212' };

/**
 * A dom0 laid out as the kernel lays it out: `/` on an NVMe (protected), a
 * NIC on the root bus, and a GPU card with its audio function behind a root
 * port in `slot` (one root port per slot, as a card moved to another slot sits behind another).
 */
export function desiredHost(slot: string = SLOT): KernelSysfs {
  const port = `0000:00:${slot === SLOT ? '03' : '1c'}.0`;
  const sys = bareHost()
    .pci({ id: '0000:00:01.0', class: '0x060400', express: true })
    .pci({
      id: BOOT_NVME,
      class: '0x010802',
      vendor: '0x144d',
      device: '0xa808',
      parent: '0000:00:01.0',
      express: true,
    })
    .disk('nvme0n1', '259:0', BOOT_NVME, 'nvme/nvme0')
    .partition('nvme0n1p2', '259:2', 'nvme0n1')
    .mount('/', '259:2', '/dev/nvme0n1p2')
    .pci({ id: NIC, class: '0x020000', vendor: '0x8086', device: '0x1521' })
    .pci({ id: port, class: '0x060400', express: true })
    .pci({ id: `${slot}.0`, class: '0x030200', vendor: '0x10de', device: '0x1db4', parent: port, express: true })
    .pci({ id: `${slot}.1`, class: '0x040300', vendor: '0x10de', device: '0x10f2', parent: port, express: true });
  for (const fn of [`${slot}.0`, `${slot}.1`]) {
    // The kernel shows a function's subsystem ids beside its own (drivers/pci/pci-sysfs.c, subsystem_vendor_show).
    const dir = join(sys.root, 'bus', 'pci', 'devices', fn);
    writeFileSync(join(dir, 'subsystem_vendor'), '0x10de\n');
    writeFileSync(join(dir, 'subsystem_device'), '0x1212\n');
  }
  return sys;
}
