import { conflict } from './errors.ts';
import { explicitHideList, mergeHideLists, parseHideList, type HideList } from './hide-list.ts';
import { HIDE_KEY, IGNORED_HIDE_KEY } from './kernel-cmdline.ts';
import type { PciAddress } from './pci-address.ts';
import type { BootHideKeys } from './unheeded-hides.ts';

/** What becomes of a `pciback.hide`: left as it is, its entries moved to `xen-pciback.hide`, or removed. */
export type IgnoredKeyAction = 'keep' | 'move' | 'drop';

/** An operator's repair of the next boot's hide list: each unreadable entry dropped or replaced by the device meant. */
export interface HideListRepair {
  readonly drop: readonly string[];
  readonly fix: readonly { readonly entry: string; readonly pci: PciAddress }[];
  readonly pcibackHide: IgnoredKeyAction;
}

export interface RepairedHideList {
  readonly list: HideList;
  /** Whether `pciback.hide` goes. */
  readonly dropIgnored: boolean;
}

/**
 * The next boot's list after a repair, or null when there is nothing to
 * repair. A repair that would leave an entry xen-pciback cannot read, or that
 * names an entry the list does not hold, is refused: the kernel would reject
 * the list it wrote, or the operator repaired a list that has changed since.
 */
export function repairHideList(pending: BootHideKeys, repair: HideListRepair): RepairedHideList | null {
  const { drop, fix, pcibackHide } = repair;
  if (pcibackHide !== 'keep' && pending.ignored === null) {
    throw conflict(`the next boot has no ${IGNORED_HIDE_KEY} to ${pcibackHide}`, { reason: 'nothing_to_repair' });
  }
  const moved = pcibackHide === 'move' ? parseHideList(pending.ignored ?? '') : parseHideList('');
  const unreadable = [...pending.list.unreadable, ...moved.unreadable];
  const named = [...drop, ...fix.map((f) => f.entry)];
  const unknown = named.filter((entry) => !unreadable.includes(entry));
  if (unknown.length > 0) {
    throw conflict(
      `${unknown.join(' ')} ${unknown.length > 1 ? 'are' : 'is'} not an unreadable entry of the next boot's hide list; ` +
        `its unreadable entries are: ${unreadable.join(' ') || 'none'} (GET /v1/host shows them)`,
      { reason: 'not_unreadable', entries: unknown, unreadable },
    );
  }
  const left = unreadable.filter((entry) => !named.includes(entry));
  if (left.length > 0) {
    throw conflict(
      `the repaired list would still hold ${left.join(' ')}, which xen-pciback cannot parse, and it would reject the whole list: ` +
        `drop or fix every unreadable entry of ${HIDE_KEY}${pcibackHide === 'move' ? ` and of the ${IGNORED_HIDE_KEY} moved into it` : ''}`,
      { reason: 'still_unreadable', unreadable: left },
    );
  }
  if (unreadable.length === 0 && pcibackHide === 'keep') return null;
  const readable = (list: HideList): HideList => ({ entries: list.entries, unreadable: [] });
  return {
    list: mergeHideLists([readable(pending.list), readable(moved), explicitHideList(fix.map((f) => f.pci))]),
    dropIgnored: pcibackHide !== 'keep',
  };
}
