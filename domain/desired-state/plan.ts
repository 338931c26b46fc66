import { dependencyWarnings } from '../dependencies.ts';
import type { DeviceIdentity } from '../device.ts';
import { dom0AccessStatus, type Dom0AccessStatus, type HiddenIn } from '../dom0-access.ts';
import { editHideList, type HideList } from '../hide-list.ts';
import { comparePciAddresses, type PciAddress } from '../pci-address.ts';
import { describeProtections, type Protection, type ProtectionReason } from '../protection.ts';
import type { Holder } from '../holders.ts';
import type { DesiredEntry, DesiredState } from './document.ts';
import { selectedBy } from './selectors.ts';

/** The document entry that took a device, with where it sits in the document. */
export type PlanEntry = DesiredEntry & { readonly pointer: string };

export interface PlannedChange {
  readonly id: PciAddress;
  readonly from: Dom0AccessStatus;
  readonly to: Dom0AccessStatus;
  /** Null for a device `exact` gives back: no entry names it. */
  readonly entry: PlanEntry | null;
}

export type RefusalReason = ProtectionReason | 'assigned' | 'holder_unknown' | 'unknown_device';

export interface PlanRefusal {
  readonly id: PciAddress;
  readonly reason: RefusalReason;
  readonly detail: string;
}

/** What the host is now, as the plan reads it. */
export interface PlanHost {
  /** The devices the host shows now: what entries are matched against. */
  readonly inventory: readonly DeviceIdentity[];
  /** Every device with a record, gone ones too (a card moved away): what `exact` may give back. */
  readonly recorded: readonly PciAddress[];
  /** The next boot's hide list as xen-cmdline holds it. */
  readonly pending: HideList;
  readonly live: (id: PciAddress) => HiddenIn;
  /** The devices a list hides on this host (wildcards and bridges included). */
  readonly devicesOf: (list: HideList) => ReadonlySet<PciAddress>;
  readonly protections: (id: PciAddress) => readonly Protection[];
  readonly dependencies: (id: PciAddress) => readonly PciAddress[];
  readonly holderOf: (id: PciAddress) => Holder | null;
  /** Why who holds what cannot be known now; null when it is known. */
  readonly holdersUnknown: string | null;
}

export interface DesiredPlan {
  readonly changes: PlannedChange[];
  readonly refusals: PlanRefusal[];
  readonly warnings: string[];
  /** The next boot's hide list once the plan is applied. */
  readonly hideList: HideList;
  /** Some change takes effect only at the next boot. */
  readonly rebootNeeded: boolean;
  /** The devices the apply hides and gives back, each as one batch edit. */
  readonly hide: readonly PciAddress[];
  readonly unhide: readonly PciAddress[];
}

/**
 * What applying a desired state would change on this host, and what stands
 * in the way, computed without changing anything: each device's status now
 * and after, the entry that took it, refusals (a device dom0 needs, one a
 * guest holds or might), and the dependencies a hide leaves with dom0.
 */
export function planDesiredState(desired: DesiredState, host: PlanHost): DesiredPlan {
  const known = new Set(host.inventory.map((d) => d.id));
  const everyDevice = [...new Set([...known, ...host.recorded])].sort(comparePciAddresses);
  const takenBy = new Map<PciAddress, PlanEntry>();
  const warnings: string[] = [];
  const refusals: PlanRefusal[] = [];
  desired.hidden.forEach((entry, index) => {
    const pointer = `/hidden/${index}`;
    const ids = selectedBy(entry, host.inventory);
    if (ids.length === 0) warnings.push(`${pointer} matches no device on this host`);
    for (const id of ids) if (!takenBy.has(id)) takenBy.set(id, { pointer, ...entry });
  });
  for (const [id, entry] of takenBy) {
    if (known.has(id)) continue;
    takenBy.delete(id);
    refusals.push({
      id,
      reason: 'unknown_device',
      detail: `${entry.pointer} names ${id}, which this host does not have`,
    });
  }
  const now = desired.apply === 'now';
  const wanted = [...takenBy.keys()];
  const given = everyDevice.filter((id) => {
    if (desired.mode !== 'exact' || takenBy.has(id)) return false;
    const live = host.live(id);
    return live.pending || (now && live.current);
  });
  const hideList = editHideList(host.pending, { hide: wanted, unhide: given }, known);
  const hiddenAfter = host.devicesOf(hideList);
  const targets = new Set([...wanted, ...given]);
  const changes: PlannedChange[] = [];
  for (const id of everyDevice) {
    const before = host.live(id);
    const pending = hiddenAfter.has(id);
    const current = now && targets.has(id) ? pending : before.current;
    const [from, to] = [dom0AccessStatus(before), dom0AccessStatus({ current, pending })];
    if (from !== to) changes.push({ id, from, to, entry: takenBy.get(id) ?? null });
  }
  const hide = changes.filter((c) => takenBy.has(c.id)).map((c) => c.id);
  const givenBack = new Set(given);
  const unhide = changes.filter((c) => givenBack.has(c.id)).map((c) => c.id);
  refusals.push(...hide.flatMap((id) => protectionRefusal(id, host.protections(id))));
  refusals.push(...unhide.flatMap((id) => holderRefusal(id, host)));
  const givenSet = new Set(unhide);
  const dependents = [...known].filter((id) => host.dependencies(id).some((d) => givenSet.has(d)));
  warnings.push(...dependencyWarnings([...hide, ...dependents], hiddenAfter, host.dependencies));
  return {
    changes,
    refusals: refusals.sort((a, b) => comparePciAddresses(a.id, b.id)),
    warnings,
    hideList,
    rebootNeeded: changes.some((c) => c.to.endsWith('_on_reboot')),
    hide,
    unhide,
  };
}

function protectionRefusal(id: PciAddress, protections: readonly Protection[]): PlanRefusal[] {
  const [first] = protections;
  if (!first) return [];
  return [
    {
      id,
      reason: first.reason,
      detail: `${id} is protected (${describeProtections(protections)}): dom0 needs it to come back after a reboot; drop it from the document, or hide it by hand with force`,
    },
  ];
}

function holderRefusal(id: PciAddress, host: PlanHost): PlanRefusal[] {
  const holder = host.holderOf(id);
  if (holder) {
    return [
      {
        id,
        reason: 'assigned',
        detail: `${id} is passed through to ${holder.name} (domain ${holder.domid}): shut the guest down or detach the device first`,
      },
    ];
  }
  if (host.holdersUnknown === null) return [];
  return [
    {
      id,
      reason: 'holder_unknown',
      detail: `${id} would be given back to dom0, but which guest holds it cannot be read (${host.holdersUnknown}); plan again once xenstore answers`,
    },
  ];
}
