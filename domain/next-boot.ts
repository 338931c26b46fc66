import { dom0Arguments, DOM0_LINE_LIMIT } from './dom0-line.ts';
import { describeChange, identityChange, type HardwareIdentity } from './hardware-identity.ts';
import type { HideList } from './hide-list.ts';
import { HIDE_KEY, IGNORED_HIDE_KEY, parseKernelCmdline, sameKey } from './kernel-cmdline.ts';
import { comparePciAddresses, type PciAddress } from './pci-address.ts';
import { describeProtections, type Protection } from './protection.ts';
import { hideListProblems } from './unheeded-hides.ts';

export const NEXT_BOOT_PROBLEM_CODES = [
  'command_line_too_long',
  'hide_list_rejected',
  'protected_device_hidden',
  'device_changed',
  'duplicate_hide_key',
  'hide_after_double_dash',
] as const;
export type NextBootProblemCode = (typeof NEXT_BOOT_PROBLEM_CODES)[number];

export interface NextBootProblem {
  readonly code: NextBootProblemCode;
  /** What is wrong and what to do before the reboot. */
  readonly detail: string;
  /** The devices it is about, when it is about devices. */
  readonly ids?: PciAddress[];
}

/** The preflight answer: whether the next boot comes back and hides what its list says. */
export interface NextBootVerdict {
  readonly ok: boolean;
  readonly problems: NextBootProblem[];
  /** Null when no boot configuration file is known to read the line from. */
  readonly dom0_line_length: number | null;
  readonly limit: number;
}

/** The hardware recorded when a device was hidden (null when none was), and what sits at its address now (null when nothing does). */
export interface HiddenHardware {
  readonly recorded: HardwareIdentity | null;
  readonly found: HardwareIdentity | null;
}

export interface NextBootFacts {
  /** The next boot's dom0 line, as the boot configuration holds it or as a write would leave it; null when unknown. */
  readonly dom0Line: string | null;
  /** The hide list xen-pciback will read at the next boot. */
  readonly hideList: HideList;
  /** The devices it hides on this host (wildcards and hidden bridges matched). */
  readonly hidden: readonly PciAddress[];
  /** What dom0 needs each device for; a device not in the map needs nothing. */
  readonly protections: ReadonlyMap<PciAddress, readonly Protection[]>;
  /** The hardware of each hidden device, as hidden and as found. */
  readonly hardware: ReadonlyMap<PciAddress, HiddenHardware>;
}

const AND_REBOOT = 'before you reboot';

/** Whether the next boot is safe and does what its hide list says: the preflight. */
export function preflight(facts: NextBootFacts): NextBootVerdict {
  const problems: NextBootProblem[] = [];
  const line = facts.dom0Line;
  if (line !== null && line.length > DOM0_LINE_LIMIT) {
    problems.push({
      code: 'command_line_too_long',
      detail:
        `the next boot's dom0 line is ${line.length} characters, over the ${DOM0_LINE_LIMIT} passthru allows ` +
        `(Xen keeps 1023 and appends to it, and a cut in the hide list makes xen-pciback hide nothing): ` +
        `unhide devices or shorten the line by ${line.length - DOM0_LINE_LIMIT} characters ${AND_REBOOT}`,
    });
  }
  for (const problem of hideListProblems('pending', { list: facts.hideList, ignored: null })) {
    problems.push({ code: 'hide_list_rejected', detail: problem.detail });
  }
  const hidden = [...facts.hidden].sort(comparePciAddresses);
  const guarded = hidden.filter((id) => (facts.protections.get(id) ?? []).length > 0);
  if (guarded.length > 0) {
    const what = guarded.map((id) => `${id} (${describeProtections(facts.protections.get(id)!)})`).join('; ');
    problems.push({
      code: 'protected_device_hidden',
      detail: `the next boot hides ${what}, which dom0 needs to come back: unhide ${guarded.length > 1 ? 'them' : 'it'} (passthru unhide ${guarded.join(' ')}) ${AND_REBOOT}`,
      ids: guarded,
    });
  }
  for (const id of hidden) {
    const hardware = facts.hardware.get(id);
    const change = hardware ? identityChange(hardware.recorded, hardware.found) : null;
    if (!change) continue;
    problems.push({
      code: 'device_changed',
      detail: `${describeChange(id, change)}, ${AND_REBOOT}`,
      ids: [id],
    });
  }
  if (line !== null) problems.push(...lineProblems(line));
  return { ok: problems.length === 0, problems, dom0_line_length: line?.length ?? null, limit: DOM0_LINE_LIMIT };
}

const isHideKey = (key: string) => sameKey(key, HIDE_KEY) || sameKey(key, IGNORED_HIDE_KEY);

function lineProblems(line: string): NextBootProblem[] {
  const problems: NextBootProblem[] = [];
  const args = dom0Arguments(line);
  // The kernel's parse_args stops at `--` and hands what follows to init (Linux, kernel/params.c).
  const dash = args.indexOf('--');
  const read = dash < 0 ? args : args.slice(0, dash);
  const keys = parseKernelCmdline(read.join(' ')).filter((p) => isHideKey(p.key));
  if (keys.length > 1) {
    const spelled = keys.map((p) => p.key);
    const others = spelled.filter((key) => key !== HIDE_KEY);
    problems.push({
      code: 'duplicate_hide_key',
      detail:
        `the next boot's dom0 line holds ${spelled.join(', ')}: the kernel keeps the last of them it reads, ` +
        `so the list passthru shows may not be the one the boot hides; remove ${[...new Set(others)].join(', ') || `the first ${HIDE_KEY}`} ` +
        `(xen-cmdline --delete-dom0 KEY, one key a call, or passthru repair-hide-list --pciback-hide move for ${IGNORED_HIDE_KEY}) ` +
        `and hide again what it held, ${AND_REBOOT}`,
    });
  }
  if (dash >= 0 && args.slice(dash + 1).some((arg) => isHideKey(parseKernelCmdline(arg)[0]?.key ?? ''))) {
    problems.push({
      code: 'hide_after_double_dash',
      detail:
        `the next boot's dom0 line has ${HIDE_KEY} after "--", where the kernel stops reading its parameters: it hides nothing. ` +
        `xen-cmdline appends it at the end, so edit the boot configuration's xe and xe-serial entries to remove the "--" ` +
        `(or move what follows it before it) ${AND_REBOOT}`,
    });
  }
  return problems;
}
