import { realpath } from 'node:fs/promises';
import type { PciAddress } from '../../domain/pci-address.ts';

// sysfs names PCI functions in the long form only, one path component each.
const FUNCTION = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/** The PCI functions a sysfs device path runs through, from the root bus down: bridges and endpoint. */
export function pciFunctionsOn(path: string): PciAddress[] {
  return path.split('/').filter((part) => FUNCTION.test(part)) as PciAddress[];
}

/** Where a sysfs link leads, or null when it leads nowhere (a device gone, a name not there). */
export async function resolved(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}
