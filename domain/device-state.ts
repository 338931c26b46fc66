import type { DeviceIdentity } from './device.ts';
import type { Dom0AccessStatus } from './dom0-access.ts';
import type { DeviceEvent } from './events.ts';
import { hardwareIdentity, type HardwareIdentity } from './hardware-identity.ts';
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
  /** The hardware its last hide (or confirmation) recorded; absent for a hide recorded without it. */
  readonly hidden_as?: HardwareIdentity;
  /** The other hardware found at its address since, once recorded: it is recorded once. */
  readonly changed_to?: HardwareIdentity;
  /** Set when an unhide now left the device with no driver; a later hand-over clears it. */
  readonly left_without_driver?: true;
}

/** The hardware hidden at the device's address: as its hide recorded it, else as it was discovered. */
export function recordedHardware(state: DeviceState | undefined): HardwareIdentity | null {
  if (!state) return null;
  return state.hidden_as ?? (state.identity ? hardwareIdentity(state.identity) : null);
}

/** A device given back to dom0 sheds what its hide recorded: a hide of it records afresh. */
function withoutHide(state: DeviceState): DeviceState {
  const { hidden_as: _hidden, changed_to: _changed, ...rest } = state;
  return rest;
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
    case 'HiddenDeviceChanged':
      return { ...moved, last_change: base.last_change, changed_to: event.data.found };
    case 'HiddenDeviceConfirmed': {
      const { changed_to: _changed, ...rest } = moved;
      return { ...rest, last_change: base.last_change, hidden_as: event.data.identity };
    }
    case 'Dom0AccessDisabled': {
      if (!event.data.identity) return moved;
      const { changed_to: _changed, ...rest } = moved;
      return { ...rest, hidden_as: event.data.identity };
    }
    case 'AppliedNow': {
      const { left_without_driver: _cleared, ...handedOver } = moved;
      return handedOver.status === 'enabled' ? withoutHide(handedOver) : handedOver;
    }
    case 'Dom0AccessEnabled':
    case 'Dom0AccessReconciled':
      return moved.status === 'enabled' ? withoutHide(moved) : moved;
  }
}
