import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
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

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A recorded time as the operator's clock shows it. */
export const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : time.format(date);
};

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
