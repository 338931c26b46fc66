import { actorWords } from '../../domain/actors.ts';
import { DOM0_ACCESS_STATUSES, type Dom0AccessStatus } from '../../domain/dom0-access.ts';
import type { HistoryEntry } from './api-types.ts';
import { plural, PROTECTION_WORDS, VIA_WORDS } from './words.ts';

/** Why an event happened, as the timeline names it. */
export type Cause =
  'discovery' | 'command' | 'reboot' | 'change by hand' | 'failure' | 'refusal' | 'boot' | 'access' | 'other';

export interface EventWords {
  readonly title: string;
  readonly cause: Cause;
  /** The device's status after the event, when it says. */
  readonly status: Dom0AccessStatus | null;
  /** The device it is about, when it is a device's event. */
  readonly pci: string | null;
  readonly actor: string | null;
  /** The operator's reason, or why it failed. */
  readonly reason: string | null;
  /** The protections that refused a change: the service's, never to be read as the operator's words. */
  readonly protection: string | null;
  /** What a forced change overrode. */
  readonly forced: string | null;
}

type Fields = Record<string, unknown>;
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const isStatus = (value: unknown): value is Dom0AccessStatus =>
  (DOM0_ACCESS_STATUSES as readonly unknown[]).includes(value);

/** A protection's reason in words; a reason this page does not know yet, as recorded. */
const protectionWords = (reason: string | null): string | null =>
  reason !== null && Object.hasOwn(PROTECTION_WORDS, reason)
    ? PROTECTION_WORDS[reason as keyof typeof PROTECTION_WORDS]
    : reason;

/** The token, with whom the client says it asked for as its claim. */
const actorOf = (metadata: Fields): string | null => {
  const actor = text(metadata.actor);
  return actor === null ? null : actorWords(actor, metadata.on_behalf_of);
};

/** Protections as an event records them: `[{ reason, detail }]`. */
const listed = (value: unknown): string | null =>
  Array.isArray(value)
    ? value.map((p: Fields) => [protectionWords(text(p.reason)), text(p.detail)].filter(Boolean).join(': ')).join('; ')
    : null;

/** A guest as an event records it: `{ domid, name }`. */
const guest = (value: unknown): string | null => {
  const holder = typeof value === 'object' && value !== null ? (value as Fields) : null;
  return holder ? `${text(holder.name) ?? 'a guest'} (domain ${String(holder.domid)})` : null;
};

const forcedOf = (data: Fields): string | null => {
  if (data.forced !== true) return null;
  const taken = guest(data.assigned_to);
  return listed(data.overridden) ?? (taken ? `held by ${taken}` : 'protection');
};

/** An event of the feed or a device's history, in the operator's words. */
export function describeEvent(entry: HistoryEntry): EventWords {
  const data: Fields = typeof entry.data === 'object' && entry.data !== null ? (entry.data as Fields) : {};
  const metadata: Fields = entry.metadata;
  const base = {
    status: isStatus(data.status) ? data.status : null,
    pci: text(data.pci),
    actor: actorOf(metadata),
    reason: text(metadata.reason) ?? text(data.reason),
    forced: forcedOf(data),
    protection: null,
  };
  const via =
    typeof data.via === 'string' && Object.hasOwn(VIA_WORDS, data.via)
      ? VIA_WORDS[data.via as keyof typeof VIA_WORDS]
      : '';
  switch (entry.type) {
    case 'DeviceDiscovered':
      return { ...base, title: 'Discovered', cause: 'discovery' };
    case 'Dom0AccessDisabled':
      return { ...base, title: `Hidden from dom0${via}`, cause: 'command' };
    case 'Dom0AccessEnabled':
      return { ...base, title: `Given back to dom0${via}`, cause: 'command' };
    case 'Dom0AccessChangeFailed':
      return { ...base, title: `${data.command === 'unhide' ? 'Give back' : 'Hide'} failed`, cause: 'failure' };
    case 'Dom0AccessRefused':
      return data.reason === 'assigned'
        ? { ...base, title: `Give back refused: ${guest(data.assigned_to)} holds the device`, cause: 'refusal' }
        : {
            ...base,
            title: `${data.command === 'unhide' ? 'Give back' : 'Hide'} refused: the device is protected`,
            cause: 'refusal',
            protection: listed(data.protected),
          };
    case 'AppliedNow':
      return {
        ...base,
        title:
          data.action === 'unhide'
            ? `Given back to dom0 now (${text(data.to_driver) ?? 'its driver'}, from pciback)`
            : `Handed to pciback now (from ${text(data.from_driver) ?? 'no driver'})`,
        cause: 'command',
      };
    case 'DriverNotBound':
      return { ...base, title: 'Not given back: pciback let go, but no driver of dom0 took it', cause: 'failure' };
    case 'ApplyNowFailed':
      return {
        ...base,
        title: `${data.action === 'unhide' ? 'Giving back' : 'Handing over'} now failed`,
        cause: 'failure',
        reason: text(data.xl_message),
      };
    case 'HideNotClaimed': {
      const driver = text(data.driver);
      return {
        ...base,
        title: `Hidden at boot, but pciback did not take it${driver ? `: ${driver} holds it` : ''}`,
        cause: 'boot',
      };
    }
    case 'HiddenDeviceChanged':
      return { ...base, title: 'Another device found at this hidden address', cause: 'discovery' };
    case 'HiddenDeviceConfirmed':
      return { ...base, title: 'The device now here confirmed as the one to hide', cause: 'command' };
    case 'Dom0AccessReconciled':
      if (data.cause === 'hide_list_repair')
        return { ...base, title: 'Changed by a hide list repair', cause: 'command' };
      return data.cause === 'reboot'
        ? { ...base, title: 'Changed by a reboot', cause: 'reboot' }
        : { ...base, title: 'Changed outside passthru', cause: 'change by hand' };
    case 'HideListRepaired': {
      const repaired = [
        ...(Array.isArray(data.dropped) ? data.dropped.map((entry) => `dropped ${String(entry)}`) : []),
        ...(Array.isArray(data.fixed) ? data.fixed.map((f: Fields) => `${String(f.entry)} as ${String(f.pci)}`) : []),
        ...(data.pciback_hide === 'move' || data.pciback_hide === 'drop'
          ? [`pciback.hide ${data.pciback_hide === 'move' ? 'moved' : 'dropped'}`]
          : []),
      ];
      return {
        ...base,
        title: `Hide list repaired${repaired.length > 0 ? ` (${repaired.join(', ')})` : ''}`,
        cause: 'command',
      };
    }
    case 'PlanMade': {
      const changes = Array.isArray(data.changes) ? data.changes.length : 0;
      const refused = Array.isArray(data.refusals) && data.refusals.length > 0 ? ', with refusals' : '';
      return {
        ...base,
        title: `Plan made: ${changes === 0 ? 'nothing to change' : `${plural(changes, 'device')} to change`}${refused}`,
        cause: 'command',
      };
    }
    case 'BootObserved':
      return { ...base, title: `Boot ${text(data.boot_id)?.slice(0, 8) ?? ''} observed`, cause: 'boot' };
    case 'TokenIssued':
      return {
        ...base,
        title: `Token ${text(data.name) ?? ''} issued (${text(data.role) ?? 'no role'})`,
        cause: 'access',
      };
    case 'TokenRevoked':
      return { ...base, title: `Token ${text(data.name) ?? ''} revoked`, cause: 'access' };
    default:
      return { ...base, title: entry.type.replace(/([a-z])([A-Z])/g, '$1 $2'), cause: 'other' };
  }
}
