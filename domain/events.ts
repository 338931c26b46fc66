import type { DeviceIdentity } from './device.ts';
import type { Dom0AccessStatus } from './dom0-access.ts';
import type { PciAddress } from './pci-address.ts';
import type { ProtectedField } from './protection.ts';
import type { Role } from './roles.ts';
import type { IgnoredKeyAction } from './hide-list-repair.ts';
import type { Holder } from './holders.ts';
import type { PlanMadeData } from './desired-state/made-plan.ts';
import type { HardwareIdentity } from './hardware-identity.ts';

/** Which API a command came through; the PGPU calls are deprecated aliases. */
export type Via = 'pci' | 'pgpu' | 'xapi';
export type CommandName = 'hide' | 'unhide';
export { APPLY_MODES, type Apply } from './apply-mode.ts';
/** Why the live status moved without a hide or unhide: a boot, a change by hand, or a repair of the hide list. */
export type ObservedCause = 'reboot' | 'outside_change' | 'hide_list_repair';

export type DeviceEvent =
  | {
      type: 'DeviceDiscovered';
      data: DeviceIdentity & { pci: PciAddress; status: Dom0AccessStatus; cause: 'discovery' };
    }
  | {
      type: 'Dom0AccessDisabled' | 'Dom0AccessEnabled';
      data: {
        pci: PciAddress;
        status: Dom0AccessStatus;
        previous: Dom0AccessStatus;
        cause: 'command';
        via: Via;
        /** On a hide: the device hidden, so that another one found at its address later is told apart. */
        identity?: HardwareIdentity;
        /** Present on a command that overrode a refusal: the protections of a hide, the guest of an unhide. */
        forced?: true;
        overridden?: ProtectedField;
        assigned_to?: Holder;
      };
    }
  | {
      /** A hide of a protected device, or an unhide of one a guest holds, refused; nothing changed. */
      type: 'Dom0AccessRefused';
      data: {
        pci: PciAddress;
        command: CommandName;
        status: Dom0AccessStatus;
        cause: 'command';
        via: Via;
      } & ({ protected: ProtectedField } | { reason: 'assigned'; assigned_to: Holder });
    }
  | {
      /** Handed to pciback (hide) or given back to dom0's driver (unhide) now; `id` is the device. */
      type: 'AppliedNow';
      data: {
        pci: PciAddress;
        id: PciAddress;
        action: CommandName;
        /** The driver bound before: dom0's on a hide, pciback on an unhide; null when none was. */
        from_driver: string | null;
        /** The driver bound after, as its sysfs link shows it: pciback on a hide, dom0's on an unhide. */
        to_driver: string;
        status: Dom0AccessStatus;
        cause: 'command';
        via: Via;
      };
    }
  | {
      /** pciback let go of the device on an unhide now, yet no driver of dom0's took it: it is not given back. */
      type: 'DriverNotBound';
      data: {
        pci: PciAddress;
        id: PciAddress;
        action: 'unhide';
        from_driver: string | null;
        status: Dom0AccessStatus;
        cause: 'command';
        via: Via;
      };
    }
  | {
      /** xl could not hand a device of the command over: everything it did was undone. */
      type: 'ApplyNowFailed';
      data: {
        pci: PciAddress;
        id: PciAddress;
        action: CommandName;
        xl_message: string;
        status: Dom0AccessStatus;
        cause: 'command';
        via: Via;
      };
    }
  | {
      type: 'Dom0AccessChangeFailed';
      data: {
        pci: PciAddress;
        command: CommandName;
        status: Dom0AccessStatus;
        cause: 'command';
        via: Via;
        reason: string;
      };
    }
  | {
      type: 'Dom0AccessReconciled';
      data: {
        pci: PciAddress;
        status: Dom0AccessStatus;
        previous: Dom0AccessStatus;
        cause: ObservedCause;
        boot_id: string;
      };
    }
  | {
      /** Another device than the one hidden sits at a hidden address (a card moved or replaced); recorded once a change. */
      type: 'HiddenDeviceChanged';
      data: {
        pci: PciAddress;
        status: Dom0AccessStatus;
        recorded: HardwareIdentity;
        found: HardwareIdentity;
        cause: 'hardware_change';
        boot_id: string;
      };
    }
  | {
      /** The device now at a hidden address confirmed as the one to hide, by a hide of it with a reason. */
      type: 'HiddenDeviceConfirmed';
      data: {
        pci: PciAddress;
        status: Dom0AccessStatus;
        identity: HardwareIdentity;
        previous: HardwareIdentity;
        cause: 'command';
        via: Via;
      };
    }
  | {
      /** The boot hid the device, yet pciback does not hold it: the hide did not take effect. */
      type: 'HideNotClaimed';
      data: {
        pci: PciAddress;
        status: Dom0AccessStatus;
        /** The driver that holds it instead; null when none does. */
        driver: string | null;
        cause: 'reboot';
        boot_id: string;
      };
    };

export type HostEvent =
  | {
      type: 'BootObserved';
      data: {
        boot_id: string;
        previous_boot_id: string | null;
        current: PciAddress[];
        pending: PciAddress[];
        /** Of the devices this boot hid, those pciback holds, and those it does not. */
        claimed: PciAddress[];
        not_claimed: PciAddress[];
      };
    }
  | {
      /** The next boot's hide list rewritten without what xen-pciback cannot read; each device it changed has its own event. */
      type: 'HideListRepaired';
      data: {
        dropped: string[];
        fixed: { entry: string; pci: PciAddress }[];
        pciback_hide: IgnoredKeyAction;
        /** The xen-pciback.hide written; '' when the key was removed. */
        hide_list: string;
        pending: PciAddress[];
        boot_id: string;
      };
    };

/** What a desired-state document would change, proposed; `POST /v1/plans/{id}/apply` carries it out. */
export type PlanEvent = { type: 'PlanMade'; data: PlanMadeData };

/** A token issued or revoked: who did it is the event's actor; the secret is never recorded. */
export type TokenEvent = {
  type: 'TokenIssued' | 'TokenRevoked';
  data: { name: string; role: Role };
};

export type PassthruEvent = DeviceEvent | HostEvent | TokenEvent | PlanEvent;
export type PassthruEventType = PassthruEvent['type'];

export const EVENT_TYPES: readonly PassthruEventType[] = [
  'DeviceDiscovered',
  'Dom0AccessDisabled',
  'Dom0AccessEnabled',
  'Dom0AccessChangeFailed',
  'Dom0AccessRefused',
  'AppliedNow',
  'ApplyNowFailed',
  'DriverNotBound',
  'Dom0AccessReconciled',
  'HideNotClaimed',
  'HiddenDeviceChanged',
  'HiddenDeviceConfirmed',
  'BootObserved',
  'HideListRepaired',
  'PlanMade',
  'TokenIssued',
  'TokenRevoked',
];
