import { dom0AccessStatus, type Dom0AccessStatus, type HiddenIn } from './dom0-access.ts';
import type { CommandName, DeviceEvent, Via } from './events.ts';
import type { PciAddress } from './pci-address.ts';
import { protectedField, type Protection, type ProtectionReason } from './protection.ts';

export interface Dom0AccessCommand {
  readonly name: CommandName;
  readonly pci: PciAddress;
  readonly via: Via;
  /** Hide even a device dom0 needs to come back after a reboot. */
  readonly force?: boolean;
}

export type Decision =
  | { readonly kind: 'unchanged'; readonly live: HiddenIn }
  | { readonly kind: 'change'; readonly event: DeviceEvent; readonly pendingHidden: boolean };

/**
 * Hide puts the device in the next boot's hide list, unhide takes it out;
 * neither touches the running kernel. A command that would leave the pending
 * list as it is decides nothing.
 */
export function decide(command: Dom0AccessCommand, live: HiddenIn, protections: readonly Protection[] = []): Decision {
  const pendingHidden = command.name === 'hide';
  if (live.pending === pendingHidden) return { kind: 'unchanged', live };
  const overridden = pendingHidden ? protections : [];
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
      },
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

/** The refusal to record for a command, or null when nothing refuses it. */
export function refusal(
  command: Dom0AccessCommand,
  protections: readonly Protection[],
  known: Dom0AccessStatus,
): DeviceEvent | null {
  const refused = refusing(command, protections);
  if (refused.length === 0) return null;
  return {
    type: 'Dom0AccessRefused',
    data: {
      pci: command.pci,
      command: command.name,
      status: known,
      cause: 'command',
      via: command.via,
      protected: protectedField(refused),
    },
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
