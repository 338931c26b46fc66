import {
  existsSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import { isPciAddress } from '../../domain/pci-address.ts';
import { PCIBACK } from '../../domain/passthrough.ts';

/** What the inventory and the topology readers read of a function; the rest of the device is left out. */
const IDENTITY = [
  'class',
  'vendor',
  'device',
  'subsystem_vendor',
  'subsystem_device',
  'boot_vga',
  'current_link_speed',
];

/**
 * Copies the PCI devices of a machine's sysfs into a simulated one, laid out
 * as the kernel lays it out (functions nested along their bridges under
 * `devices/`, `bus/pci/devices` links into them, IOMMU groups, SR-IOV
 * links), so the simulated host lists the machine's own devices at the same
 * addresses: what the machine's disks and NICs resolve to stays protected.
 * Answers the driver bound to each device, the dom0 driver a probe binds.
 * Driver links are left to the boot (the twin's `boot`); the machine's sysfs is only read.
 */
export function mirrorPciDevices(machineSysfs: string, sysfs: string): Record<string, string> {
  const from = join(machineSysfs, 'bus', 'pci', 'devices');
  const names = existsSync(from) ? readdirSync(from).filter(isPciAddress) : [];
  const tree = realOrNull(join(machineSysfs, 'devices')) ?? join(machineSysfs, 'devices');
  const mirrored = new Map<string, string>();
  const drivers: Record<string, string> = {};
  mkdirSync(join(sysfs, 'bus', 'pci', 'devices'), { recursive: true });
  mkdirSync(join(sysfs, 'bus', 'pci', 'drivers'), { recursive: true });
  for (const id of names) {
    const real = realOrNull(join(from, id));
    if (real === null) continue;
    const under = relative(tree, real);
    // A device dir outside a `devices/` tree (a flat copy) is put on its root bus.
    const place = under.startsWith('..') || isAbsolute(under) ? join(`pci${id.slice(0, 7)}`, id) : under;
    const dir = join(sysfs, 'devices', place);
    mkdirSync(dir, { recursive: true });
    // Read and written, never copied: sysfs reports a size of 4096 that copy_file_range never reaches, so a copy hangs.
    for (const file of IDENTITY) {
      const text = readOrNull(join(real, file));
      if (text !== null) writeFileSync(join(dir, file), text);
    }
    symlinkSync(dir, join(sysfs, 'bus', 'pci', 'devices', id));
    mirrored.set(id, dir);
    const driver = linkName(join(real, 'driver'));
    // The machine may be a dom0 whose pciback holds a device: no native driver is known for it.
    if (driver !== null && driver !== PCIBACK) drivers[id] = driver;
  }
  for (const [id, dir] of mirrored) {
    const real = realpathSync(join(from, id));
    const group = linkName(join(real, 'iommu_group'));
    if (group !== null) {
      const groupDir = join(sysfs, 'kernel', 'iommu_groups', group);
      mkdirSync(join(groupDir, 'devices'), { recursive: true });
      symlinkSync(dir, join(groupDir, 'devices', id));
      symlinkSync(groupDir, join(dir, 'iommu_group'));
    }
    for (const name of readdirSync(real).filter((entry) => entry === 'physfn' || /^virtfn\d+$/.test(entry))) {
      const other = mirrored.get(basename(realOrNull(join(real, name)) ?? ''));
      if (other) symlinkSync(other, join(dir, name));
    }
  }
  return drivers;
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function linkName(path: string): string | null {
  try {
    return basename(readlinkSync(path));
  } catch {
    return null;
  }
}
