import type { DeviceIdentity } from './device.ts';
import { dom0AccessStatus, hiddenIn, type Dom0AccessStatus, type HiddenIn } from './dom0-access.ts';
import type { DeviceEvent, ObservedCause } from './events.ts';
import type { PciAddress } from './pci-address.ts';

export interface DeviceSighting {
  readonly id: PciAddress;
  /** From the inventory; null for a device the store knows but the host no longer shows. */
  readonly identity: DeviceIdentity | null;
  /** The status the projection holds, or null for a device never recorded. */
  readonly projected: Dom0AccessStatus | null;
  readonly live: HiddenIn;
}

export interface Correction {
  readonly pci: PciAddress;
  readonly event: DeviceEvent;
}

/**
 * The events that bring the projection to the live status. A device whose
 * pending membership moved was changed outside the service; one whose only
 * difference is the running kernel's list moved because the host booted.
 */
export function reconcile(
  sightings: readonly DeviceSighting[],
  boot: { readonly id: string; readonly isNew: boolean },
): Correction[] {
  const corrections: Correction[] = [];
  for (const { id, identity, projected, live } of sightings) {
    const status = dom0AccessStatus(live);
    if (projected === null) {
      if (identity) {
        corrections.push({
          pci: id,
          event: { type: 'DeviceDiscovered', data: { ...identity, pci: id, status, cause: 'discovery' } },
        });
      }
      continue;
    }
    if (projected === status) continue;
    corrections.push({
      pci: id,
      event: {
        type: 'Dom0AccessReconciled',
        data: { pci: id, status, previous: projected, cause: causeOf(projected, live, boot.isNew), boot_id: boot.id },
      },
    });
  }
  return corrections;
}

function causeOf(projected: Dom0AccessStatus, live: HiddenIn, newBoot: boolean): ObservedCause {
  const was = hiddenIn(projected);
  if (was.pending !== live.pending) return 'outside_change';
  return newBoot ? 'reboot' : 'outside_change';
}
