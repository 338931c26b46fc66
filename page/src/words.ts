import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import type { PassthruEventType, Via } from '../../domain/events.ts';
import type { PassthroughProblemCode } from '../../domain/passthrough.ts';
import type { CommandName, Protection } from './api-types.ts';

/** Each state's name as the API spells it, in words, and what it means for the device. */
export const STATUS_WORDS: Record<Dom0AccessStatus, { readonly label: string; readonly meaning: string }> = {
  enabled: { label: 'Enabled', meaning: 'dom0 uses it' },
  disabled: { label: 'Disabled', meaning: 'hidden from dom0, free for passthrough' },
  disabled_on_reboot: { label: 'Disabled on reboot', meaning: 'dom0 still uses it; hidden from the next boot on' },
  enabled_on_reboot: { label: 'Enabled on reboot', meaning: 'still hidden; back with dom0 from the next boot on' },
};

export const COMMAND_WORDS: Record<
  CommandName,
  { readonly verb: string; readonly done: string; readonly doneNow: string; readonly handOver: string }
> = {
  hide: {
    verb: 'Hide from dom0',
    done: 'hidden from dom0 at the next boot',
    doneNow: 'handed to pciback now, and hidden from dom0 at the next boot',
    handOver: "dom0's driver lets go of the device at once, and whatever dom0 was doing with it stops",
  },
  unhide: {
    verb: 'Give back to dom0',
    done: 'back with dom0 at the next boot',
    doneNow: 'back with its dom0 driver now, and with dom0 at the next boot',
    handOver: 'the device returns to its dom0 driver at once',
  },
};

export const PROTECTION_WORDS: Record<Protection['reason'], string> = {
  boot_device: 'boot device',
  local_sr: 'local storage repository disk',
  management_interface: 'management network interface',
  system_display: 'system display',
};

/** Each event type as the Activity filter names it. */
export const EVENT_WORDS: Record<PassthruEventType, string> = {
  DeviceDiscovered: 'Device discovered',
  Dom0AccessDisabled: 'Hidden from dom0',
  Dom0AccessEnabled: 'Given back to dom0',
  Dom0AccessChangeFailed: 'Change failed',
  Dom0AccessRefused: 'Change refused',
  AppliedNow: 'Handed over now',
  DriverNotBound: 'Left without a driver',
  ApplyNowFailed: 'Handing over now failed',
  Dom0AccessReconciled: 'Changed by a reboot, a repair or by hand',
  HideNotClaimed: 'Hidden at boot, not taken by pciback',
  HiddenDeviceChanged: 'Another device at a hidden address',
  HiddenDeviceConfirmed: 'New device at a hidden address confirmed',
  BootObserved: 'Boot observed',
  HideListRepaired: 'Hide list repaired',
  PlanMade: 'Plan made',
  TokenIssued: 'Token issued',
  TokenRevoked: 'Token revoked',
};

/** How a command reached the service, when it is worth saying: through the PCI routes (the page, the CLI) it is not. */
export const VIA_WORDS: Record<Via, string> = {
  pci: '',
  pgpu: ' through its PGPU',
  xapi: ' over XAPI',
};

/** What stands in the way of passthrough, in a few words; the service's sentence says what to do. */
export const PROBLEM_WORDS: Record<PassthroughProblemCode, string> = {
  iommu_disabled: 'No IOMMU',
  not_claimed: 'pciback did not take it at boot',
  not_persistent: 'Not kept at the next boot',
  dependency_in_dom0: 'A device it goes with stays in dom0',
  hide_list_rejected: 'The hide list is rejected',
  hide_key_ignored: 'Hidden under a key no kernel reads',
  device_changed: 'Another device than the one hidden',
  command_line_cut: 'Xen cut the running dom0 line',
  holder_unknown: 'Who holds it is unknown',
  left_without_driver: 'Left without a driver',
};

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A recorded time as the operator's clock shows it. */
export const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : time.format(date);
};

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
