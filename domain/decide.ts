import { dom0AccessStatus, type Dom0AccessStatus, type HiddenIn } from './dom0-access.ts';
import type { Apply, CommandName, DeviceEvent, Via } from './events.ts';
import type { PciAddress } from './pci-address.ts';
import { protectedField, type Protection, type ProtectionReason } from './protection.ts';
import type { Holder } from './holders.ts';

export interface Dom0AccessCommand {
  readonly name: CommandName;
  readonly pci: PciAddress;
  readonly via: Via;
  /** Hide even a device dom0 needs to come back after a reboot; unhide even one a guest holds. */
  readonly force?: boolean;
  /** Next boot when absent. */
  readonly apply?: Apply;
}

export type Decision =
  | { readonly kind: 'unchanged'; readonly live: HiddenIn }
  | { readonly kind: 'change'; readonly event: DeviceEvent; readonly pendingHidden: boolean };

/**
 * Hide puts the device in the next boot's hide list, unhide takes it out;
 * neither touches the running kernel. A command that would leave the pending
 * list as it is decides nothing.
 */
export function decide(
  command: Dom0AccessCommand,
  live: HiddenIn,
  protections: readonly Protection[] = [],
  /** The guest the device is passed through to: a forced unhide records it. */
  holder: Holder | null = null,
): Decision {
  const pendingHidden = command.name === 'hide';
  if (live.pending === pendingHidden) return { kind: 'unchanged', live };
  const overridden = pendingHidden ? protections : [];
  const takenFrom = pendingHidden ? null : holder;
  return {
    kind: 'change',
    pendingHidden,
    event: {
      type: pendingHidden ? 'Dom0AccessDisabled' : 'Dom0AccessEnabled',
      data: {
        pci: command.pci,
        status: dom0AccessStatus({ current: live.current, pending: pendingHidden }),
        previous: dom0AccessStatus(live),
        cause: 'command',
        via: command.via,
        ...(overridden.length > 0 ? { forced: true, overridden: protectedField(overridden) } : {}),
        ...(takenFrom ? { forced: true, assigned_to: takenFrom } : {}),
      },
    },
  };
}

/** Whether a command asked to apply now must still hand the device over: pciback is bound to it, or not, already. */
export function needsHandOver(command: Dom0AccessCommand, boundToPciback: boolean): boolean {
  return command.apply === 'now' && boundToPciback !== (command.name === 'hide');
}

/**
 * A device handed over, with the status after it and the drivers bound
 * before and after; a device no driver took after an unhide is not given
 * back, and says so.
 */
export function appliedNow(
  command: Dom0AccessCommand,
  status: Dom0AccessStatus,
  fromDriver: string | null,
  toDriver: string | null,
): DeviceEvent {
  const data = {
    pci: command.pci,
    id: command.pci,
    from_driver: fromDriver,
    status,
    cause: 'command',
    via: command.via,
  } as const;
  if (toDriver === null) return { type: 'DriverNotBound', data: { ...data, action: 'unhide' } };
  return { type: 'AppliedNow', data: { ...data, action: command.name, to_driver: toDriver } };
}

/** A hand-over xl failed: recorded on every device of the command, with xl's own words and the status as restored. */
export function applyNowFailed(command: Dom0AccessCommand, status: Dom0AccessStatus, xlMessage: string): DeviceEvent {
  return {
    type: 'ApplyNowFailed',
    data: {
      pci: command.pci,
      id: command.pci,
      action: command.name,
      xl_message: xlMessage,
      status,
      cause: 'command',
      via: command.via,
    },
  };
}

/**
 * What each path lets a hide override without force: XAPI lets the system
 * display go, as xapi itself does for integrated GPU passthrough.
 */
const OVERRIDDEN_BY: Record<Via, readonly ProtectionReason[]> = { pci: [], pgpu: [], xapi: ['system_display'] };

/**
 * The protections a command is refused for: a hide of a device dom0 needs,
 * unless forced or its path overrides them; unhiding only gives dom0 back
 * what it had, so nothing refuses it.
 */
export function refusing(command: Dom0AccessCommand, protections: readonly Protection[]): Protection[] {
  if (command.name !== 'hide' || command.force) return [];
  return protections.filter((p) => !OVERRIDDEN_BY[command.via].includes(p.reason));
}

/** The guest an unhide is refused for: taking a device back from a running guest, unless forced. */
export function refusingHolder(command: Dom0AccessCommand, holder: Holder | null): Holder | null {
  return command.name === 'unhide' && !command.force ? holder : null;
}

/** The refusal to record for a command, or null when nothing refuses it. */
export function refusal(
  command: Dom0AccessCommand,
  protections: readonly Protection[],
  known: Dom0AccessStatus,
  heldBy: Holder | null = null,
): DeviceEvent | null {
  const refused = refusing(command, protections);
  const holder = refusingHolder(command, heldBy);
  if (refused.length === 0 && !holder) return null;
  const base = { pci: command.pci, command: command.name, status: known, cause: 'command', via: command.via } as const;
  return {
    type: 'Dom0AccessRefused',
    data: holder
      ? { ...base, reason: 'assigned', assigned_to: holder }
      : { ...base, protected: protectedField(refused) },
  };
}

/**
 * A command that failed at the host: recorded, with the status as last known
 * (the live one when it could still be read), and nothing changed.
 */
export function failed(command: Dom0AccessCommand, known: Dom0AccessStatus, reason: string): DeviceEvent {
  return {
    type: 'Dom0AccessChangeFailed',
    data: {
      pci: command.pci,
      command: command.name,
      status: known,
      cause: 'command',
      via: command.via,
      reason,
    },
  };
}
