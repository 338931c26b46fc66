import type { DeviceIdentity } from '../device.ts';
import { slotOf, type PciAddress } from '../pci-address.ts';
import type { DesiredEntry, IdentityMatch } from './document.ts';

/** Whether a device is the one an identity names, wherever it sits. */
export function matchesIdentity(match: IdentityMatch, device: DeviceIdentity): boolean {
  return (
    device.vendor_id === match.vendor &&
    device.device_id === match.device &&
    (match.subsystem_vendor === undefined || device.subsystem_vendor_id === match.subsystem_vendor) &&
    (match.subsystem_device === undefined || device.subsystem_device_id === match.subsystem_device) &&
    (match.class === undefined || device.class_id.startsWith(match.class))
  );
}

/**
 * The devices of the inventory an entry takes: the one it names or those its
 * identity matches, and with `functions: all` every function of their slots.
 * An address the inventory lacks is taken as named: the plan says it is unknown.
 */
export function selectedBy(entry: DesiredEntry, inventory: readonly DeviceIdentity[]): PciAddress[] {
  const named = 'id' in entry ? [entry.id] : inventory.filter((d) => matchesIdentity(entry.match, d)).map((d) => d.id);
  if (entry.functions === 'one') return named;
  const slots = new Set(named.map(slotOf));
  const siblings = inventory.filter((d) => slots.has(slotOf(d.id))).map((d) => d.id);
  return [...new Set([...named, ...siblings])];
}
