import { recordedHardware, type DeviceState } from './device-state.ts';
import { hiddenIn } from './dom0-access.ts';
import type { Dom0AccessStatus } from './dom0-access.ts';
import { identityChange, sameHardware, type HardwareIdentity } from './hardware-identity.ts';
import type { Correction } from './reconcile.ts';
import type { PciAddress } from './pci-address.ts';

export interface HardwareSighting {
  readonly id: PciAddress;
  readonly state: DeviceState | undefined;
  readonly status: Dom0AccessStatus;
  /** What the inventory finds at the address now; null when nothing. */
  readonly found: HardwareIdentity | null;
}

/**
 * One `HiddenDeviceChanged` for each hidden address where the inventory finds
 * another device than the one hidden, unless that very change is recorded
 * already: a start after a start records nothing more.
 */
export function hardwareChanges(sightings: readonly HardwareSighting[], bootId: string): Correction[] {
  return sightings.flatMap(({ id, state, status, found }) => {
    const live = hiddenIn(status);
    if (!live.current && !live.pending) return [];
    const change = identityChange(recordedHardware(state), found);
    if (!change || (state?.changed_to && sameHardware(state.changed_to, change.found))) return [];
    return [
      {
        pci: id,
        event: {
          type: 'HiddenDeviceChanged' as const,
          data: { pci: id, status, ...change, cause: 'hardware_change' as const, boot_id: bootId },
        },
      },
    ];
  });
}
