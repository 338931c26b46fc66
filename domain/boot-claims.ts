import { hiddenIn, type Dom0AccessStatus } from './dom0-access.ts';
import type { DeviceEvent } from './events.ts';
import type { PciAddress } from './pci-address.ts';
import { PCIBACK } from './passthrough.ts';

export interface ClaimSighting {
  readonly id: PciAddress;
  readonly status: Dom0AccessStatus;
  readonly driver: string | null;
  /** The boot of the last hide not taken up the projection holds for the device, if any. */
  readonly recordedNotClaimedAt: string | undefined;
}

export interface BootClaims {
  readonly claimed: PciAddress[];
  readonly notClaimed: PciAddress[];
  /** One event per device the boot hid that pciback does not hold, unless this boot's is already recorded. */
  readonly events: { readonly pci: PciAddress; readonly event: DeviceEvent }[];
}

/** Whether each hide of this boot took effect: pciback holds a hidden device, or something went wrong. */
export function bootClaims(sightings: readonly ClaimSighting[], bootId: string): BootClaims {
  const claims: BootClaims = { claimed: [], notClaimed: [], events: [] };
  for (const { id, status, driver, recordedNotClaimedAt } of sightings) {
    if (!hiddenIn(status).current) continue;
    if (driver === PCIBACK) {
      claims.claimed.push(id);
      continue;
    }
    claims.notClaimed.push(id);
    if (recordedNotClaimedAt === bootId) continue;
    claims.events.push({
      pci: id,
      event: { type: 'HideNotClaimed', data: { pci: id, status, driver, cause: 'reboot', boot_id: bootId } },
    });
  }
  return claims;
}
