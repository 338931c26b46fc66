import { readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PciAddress } from '../../domain/pci-address.ts';

/** The name of the driver a device is bound to (its sysfs `driver` link), or null when none is. */
export async function readDriver(sysfsPci: string, id: PciAddress): Promise<string | null> {
  try {
    return basename(await readlink(join(sysfsPci, id, 'driver')));
  } catch {
    return null;
  }
}
