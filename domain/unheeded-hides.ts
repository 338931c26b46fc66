import { isRejected, type HideList } from './hide-list.ts';
import { HIDE_KEY, IGNORED_HIDE_KEY } from './kernel-cmdline.ts';

/** Which command line: the running kernel's, or the one the next boot will use. */
export type BootWhen = 'current' | 'pending';

/** A command line's hide keys as read: the one xen-pciback obeys, and the value of the one no kernel reads. */
export interface BootHideKeys {
  readonly list: HideList;
  /** Null when the command line has no such key. */
  readonly ignored: string | null;
}

export type HideListProblemCode = 'hide_list_rejected' | 'hide_key_ignored';

/** A hide list that names devices yet hides none of them, and what the kernel does with it. */
export interface HideListProblem {
  readonly code: HideListProblemCode;
  readonly list: BootWhen;
  readonly key: string;
  /** The unreadable entries a rejection is for; the whole value of a key no kernel reads. */
  readonly entries: readonly string[];
  readonly detail: string;
}

const REPAIR = 'passthru repair-hide-list (POST /v1/host/hide-list/repair)';

/** What keeps each hide key of a command line from hiding what it names. */
export function hideListProblems(when: BootWhen, keys: BootHideKeys): HideListProblem[] {
  const problems: HideListProblem[] = [];
  const boot = when === 'current' ? 'the running kernel' : 'the next boot';
  if (isRejected(keys.list)) {
    const entries = keys.list.unreadable;
    problems.push({
      code: 'hide_list_rejected',
      list: when,
      key: HIDE_KEY,
      entries,
      detail:
        `${HIDE_KEY} of ${boot} holds ${entries.join(' ')}, which xen-pciback cannot parse: ` +
        `it ${when === 'current' ? 'rejected' : 'will reject'} the whole list and ${when === 'current' ? 'hid' : 'hide'} no device at all; ` +
        `drop or fix ${entries.length > 1 ? 'them' : 'it'} with ${REPAIR}${when === 'current' ? ', then reboot' : ''}`,
    });
  }
  if (keys.ignored !== null) {
    const value = keys.ignored;
    problems.push({
      code: 'hide_key_ignored',
      list: when,
      key: IGNORED_HIDE_KEY,
      entries: [value],
      detail:
        `${boot} has ${IGNORED_HIDE_KEY}=${value}, which no current kernel reads (the module is xen-pciback): ` +
        `it hides nothing; move its entries to ${HIDE_KEY} or drop it with ${REPAIR} --pciback-hide move|drop`,
    });
  }
  return problems;
}
