import type { DeviceIdentity } from './device.ts';
import type { Dom0AccessStatus } from './dom0-access.ts';
import type { DeviceEvent } from './events.ts';
import type { PciAddress } from './pci-address.ts';

/** A device as its own stream tells it: the projection, never the live truth. */
export interface DeviceState {
  readonly id: PciAddress;
  readonly revision: number;
  readonly identity: DeviceIdentity | null;
  readonly status: Dom0AccessStatus;
  readonly last_change: { readonly type: DeviceEvent['type']; readonly at: string; readonly cause: string };
  readonly failures: number;
  /** The boot whose hide of the device did not take effect, once one has been recorded. */
  readonly not_claimed_at_boot?: string;
  /** Set when an unhide now left the device with no driver; a later hand-over clears it. */
  readonly left_without_driver?: true;
}

/** Where the event sits in its stream and when the store took it. */
export interface Recorded {
  readonly revision: number;
  readonly at: string;
}

export function evolve(state: DeviceState | undefined, event: DeviceEvent, recorded: Recorded): DeviceState {
  const base: DeviceState = state ?? {
    id: event.data.pci,
    revision: -1,
    identity: null,
    status: event.data.status,
    last_change: { type: event.type, at: recorded.at, cause: event.data.cause },
    failures: 0,
  };
  const moved = {
    ...base,
    revision: recorded.revision,
    status: event.data.status,
    last_change: { type: event.type, at: recorded.at, cause: event.data.cause },
  };
  switch (event.type) {
    case 'DeviceDiscovered': {
      const { pci: _pci, status: _status, cause: _cause, ...identity } = event.data;
      return { ...moved, identity };
    }
    case 'Dom0AccessChangeFailed':
    case 'ApplyNowFailed':
      return { ...moved, last_change: base.last_change, failures: base.failures + 1 };
    case 'Dom0AccessRefused':
      return { ...moved, last_change: base.last_change };
    case 'DriverNotBound':
      return { ...moved, left_without_driver: true };
    case 'HideNotClaimed':
      return { ...moved, last_change: base.last_change, not_claimed_at_boot: event.data.boot_id };
    case 'AppliedNow': {
      const { left_without_driver: _cleared, ...handedOver } = moved;
      return handedOver;
    }
    case 'Dom0AccessDisabled':
    case 'Dom0AccessEnabled':
    case 'Dom0AccessReconciled':
      return moved;
  }
}
