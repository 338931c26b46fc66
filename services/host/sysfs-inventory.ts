import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceIdentity } from '../../domain/device.ts';
import { hostFailure } from '../../domain/errors.ts';
import { comparePciAddresses, parsePciAddress, type PciAddress } from '../../domain/pci-address.ts';
import { nameDevice } from './device-names.ts';
import type { PciIds } from './pci-ids.ts';

/** The PCI devices of a sysfs device directory such as `/sys/bus/pci/devices`, sorted by address. */
export async function readInventory(sysfsDir: string, ids: PciIds): Promise<DeviceIdentity[]> {
  let names: string[];
  try {
    names = await readdir(sysfsDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw hostFailure(`cannot read the PCI inventory from ${sysfsDir}: ${code ?? error}`);
  }
  const devices = await Promise.all(names.map((name) => readDevice(sysfsDir, name, ids)));
  return devices.filter((d) => d !== null).sort((a, b) => comparePciAddresses(a.id, b.id));
}

async function readDevice(sysfsDir: string, name: string, ids: PciIds): Promise<DeviceIdentity | null> {
  let id: PciAddress;
  try {
    id = parsePciAddress(name);
  } catch {
    return null;
  }
  const dir = join(sysfsDir, name);
  const [class_id, vendor_id, device_id, subsystemVendor, subsystemDevice] = await Promise.all([
    readHex(join(dir, 'class'), 6),
    readHex(join(dir, 'vendor'), 4),
    readHex(join(dir, 'device'), 4),
    readHex(join(dir, 'subsystem_vendor'), 4),
    readHex(join(dir, 'subsystem_device'), 4),
  ]);
  if (class_id === null || vendor_id === null || device_id === null) return null;
  const subsystem =
    subsystemVendor === null || subsystemDevice === null || subsystemVendor === '0000'
      ? null
      : { vendor_id: subsystemVendor, device_id: subsystemDevice };
  return nameDevice(id, { class_id, vendor_id, device_id, subsystem }, ids);
}

/**
 * A sysfs attribute like `0x10de\n`, as lower-case hex without the prefix.
 * Null when it cannot be read or is malformed: a device can vanish mid-scan
 * (hot unplug), and one odd entry must not hide the rest of the inventory.
 */
async function readHex(path: string, digits: number): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  const match = new RegExp(`^0x([0-9a-fA-F]{${digits}})$`).exec(text.trim());
  return match ? match[1]!.toLowerCase() : null;
}
