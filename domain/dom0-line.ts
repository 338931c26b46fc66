import { isRejected, parseHideList } from './hide-list.ts';
import { HIDE_KEY, parseKernelCmdline, sameKey } from './kernel-cmdline.ts';

/**
 * What Xen keeps of the dom0 line: `create_dom0` (xen/arch/x86/setup.c; in `__start_xen` before it) copies
 * it with `safe_strcpy` into `dom0_cmdline[MAX_GUEST_CMDLINE]`, 1024 bytes with
 * the NUL, and cuts the rest without a word.
 */
export const XEN_KEEPS = 1023;
/** Room left for what Xen appends after the copy (` noapic`, ` acpi=...`, ` acpi_skip_timer_override`). */
export const XEN_APPENDS = 32;
/** The longest dom0 line passthru writes. */
export const DOM0_LINE_LIMIT = XEN_KEEPS - XEN_APPENDS;
/** One device entry, `(0000:03:00.0)`. */
export const HIDE_ENTRY_LENGTH = '(0000:00:00.0)'.length;

/**
 * The arguments of a dom0 line as xen-cmdline splits them: xcp.bootloader's
 * `MenuEntry.getKernelArgs` (xenserver/python-libs, xcp/bootloader.py), a
 * run of non-blanks that may hold one double-quoted part.
 */
export function dom0Arguments(line: string): string[] {
  return line.match(/\S[^ "]*(?:"[^"]*")?\S*/g) ?? [];
}

/**
 * The dom0 line as `xen-cmdline --set-dom0 KEY=VALUE` (or, for a null value,
 * `--delete-dom0 KEY`) leaves it: xen-cmdline's `replace_dom0_args` drops every
 * argument that is the key or starts with `KEY=`, appends the new one at the
 * end, and `setKernelArgs` joins them with one blank.
 */
export function dom0LineWith(line: string, key: string, value: string | null): string {
  const kept = dom0Arguments(line).filter((argument) => argument !== key && !argument.startsWith(`${key}=`));
  return [...kept, ...(value === null ? [] : [`${key}=${value}`])].join(' ');
}

/** How long the dom0 line is, and how many more device entries it can take before passthru refuses a hide. */
export interface Dom0LineRoom {
  readonly length: number;
  readonly limit: number;
  /** Device entries that still fit: the hide key and its `=` count against the first one. */
  readonly more_devices: number;
}

export function dom0LineRoom(line: string): Dom0LineRoom {
  const withKey = dom0Arguments(line).some((argument) => argument.startsWith(`${HIDE_KEY}=`));
  const room = DOM0_LINE_LIMIT - line.length - (withKey ? 0 : ` ${HIDE_KEY}=`.length);
  return {
    length: line.length,
    limit: DOM0_LINE_LIMIT,
    more_devices: Math.max(0, Math.floor(room / HIDE_ENTRY_LENGTH)),
  };
}

/** "N more devices fit", the limit in words for the CLI and the page. */
export function describeRoom(room: Dom0LineRoom): string {
  const devices = room.more_devices === 1 ? '1 more device fits' : `${room.more_devices} more devices fit`;
  return `the dom0 line is ${room.length} of ${room.limit} characters: ${devices}`;
}

/** What Xen's cut of the running dom0 line did to its hide list. */
export const CUT_HIDE_LISTS = ['absent', 'whole', 'cut_mid_entry', 'cut_at_entry_end'] as const;
export type CutHideList = (typeof CUT_HIDE_LISTS)[number];

export interface RunningLineCut {
  readonly length: number;
  readonly kept: number;
  readonly hide_list: CutHideList;
  readonly detail: string;
}

/**
 * Whether Xen cut the running kernel's command line, and what that did to the
 * hide list. Xen's copy stops at 1023 characters, so a line that long was cut
 * (or, at best, just fitted): pciback read whatever of the list was left.
 */
export function runningLineCut(procCmdline: string): RunningLineCut | null {
  const line = procCmdline.replace(/\n$/, '');
  if (line.length < XEN_KEEPS) return null;
  const hide = parseKernelCmdline(line).findLast((p) => sameKey(p.key, HIDE_KEY));
  const last = dom0Arguments(line).at(-1) ?? '';
  const cut = `Xen keeps ${XEN_KEEPS} characters of the dom0 line and this boot's is ${line.length} long, so it was cut`;
  const next = `keep the next boot's line within ${DOM0_LINE_LIMIT} characters (passthru preflight) and reboot`;
  if (!hide) {
    return {
      length: line.length,
      kept: XEN_KEEPS,
      hide_list: 'absent',
      detail: `${cut} before any ${HIDE_KEY}: a hide list after the cut hid nothing; ${next}`,
    };
  }
  const atEnd = sameKey(last.split('=')[0]!, HIDE_KEY);
  if (!atEnd) {
    return {
      length: line.length,
      kept: XEN_KEEPS,
      hide_list: 'whole',
      detail: `${cut} after ${HIDE_KEY}: the hide list is whole, parameters after it were lost; ${next}`,
    };
  }
  const rejected = isRejected(parseHideList(hide.value ?? ''));
  return {
    length: line.length,
    kept: XEN_KEEPS,
    hide_list: rejected ? 'cut_mid_entry' : 'cut_at_entry_end',
    detail: rejected
      ? `${cut} in the middle of an entry of ${HIDE_KEY}: xen-pciback rejected the whole list and hid no device; ${next}`
      : `${cut} at the end of an entry of ${HIDE_KEY}: the entries after it, if any, were lost and their devices are not hidden; ${next}`,
  };
}
