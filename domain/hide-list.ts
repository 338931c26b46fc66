import { comparePciAddresses, type PciAddress } from './pci-address.ts';

/** One entry xen-pciback reads: a device, or every function of a slot or every slot of a bus. */
export type HideEntry =
  | { readonly kind: 'device'; readonly address: PciAddress }
  | {
      readonly kind: 'wildcard';
      /** As written, so a wildcard passthru leaves alone is written back as it was. */
      readonly text: string;
      readonly domain: number;
      readonly bus: number;
      /** Null for `*.*`, every slot of the bus. */
      readonly slot: number | null;
    };

export interface HideList {
  readonly entries: readonly HideEntry[];
  /** What follows the first entry xen-pciback cannot parse, verbatim: it stops reading there. */
  readonly unreadable: readonly string[];
}

export const EMPTY_HIDE_LIST: HideList = { entries: [], unreadable: [] };

// xen-pciback reads each entry with sscanf: `%x` skips blanks and takes any number of hex digits
// (after an optional 0x), a literal `*` stands for the slot and function or the function only.
const NUMBER = String.raw`\s*(?:0x)?([0-9a-f]+)`;
const TAIL = String.raw`(?:${NUMBER}\.(?:${NUMBER}|\*)|\*\.\*)\)`;
const WITH_DOMAIN = new RegExp(String.raw`\s*\(${NUMBER}:${NUMBER}:${TAIL}\s*`, 'iy');
const WITHOUT_DOMAIN = new RegExp(String.raw`\s*\(${NUMBER}:${TAIL}\s*`, 'iy');

/**
 * Reads a hide list the way xen-pciback's `pcistub_init` does: entries one
 * after the other, blanks around them allowed, up to the first it cannot parse
 * or whose numbers are out of range. That rest is kept as it is, never guessed at.
 */
export function parseHideList(value: string): HideList {
  const entries: HideEntry[] = [];
  let at = 0;
  while (at < value.length && value.slice(at).trim() !== '') {
    const read = readEntry(value, at);
    if (!read) return { entries, unreadable: [value.slice(at).trim()] };
    entries.push(read.entry);
    at = read.next;
  }
  return { entries, unreadable: [] };
}

function readEntry(value: string, at: number): { entry: HideEntry; next: number } | null {
  for (const [pattern, hasDomain] of [
    [WITH_DOMAIN, true],
    [WITHOUT_DOMAIN, false],
  ] as const) {
    pattern.lastIndex = at;
    const match = pattern.exec(value);
    if (!match) continue;
    const numbers = match.slice(1).map((n) => (n === undefined ? null : parseInt(n, 16)));
    const [domain, bus, slot, fn] = hasDomain ? numbers : [0, ...numbers];
    const entry = entryOf(domain ?? null, bus ?? null, slot ?? null, fn ?? null, match[0].trim());
    return entry ? { entry, next: pattern.lastIndex } : null;
  }
  return null;
}

function entryOf(
  domain: number | null,
  bus: number | null,
  slot: number | null,
  fn: number | null,
  text: string,
): HideEntry | null {
  if (domain === null || bus === null || domain > 0xffff || bus > 0xff) return null;
  if ((slot ?? 0) > 0x1f || (fn ?? 0) > 7) return null;
  if (slot !== null && fn !== null) return { kind: 'device', address: addressOf(domain, bus, slot, fn) };
  return { kind: 'wildcard', text, domain, bus, slot };
}

function addressOf(domain: number, bus: number, slot: number, fn: number): PciAddress {
  const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
  return `${hex(domain, 4)}:${hex(bus, 2)}:${hex(slot, 2)}.${fn}` as PciAddress;
}

function covers(entry: HideEntry, address: PciAddress): boolean {
  if (entry.kind === 'device') return entry.address === address;
  const [domain, bus, slot] = address.split(/[:.]/).map((n) => parseInt(n, 16));
  return domain === entry.domain && bus === entry.bus && (entry.slot === null || slot === entry.slot);
}

export function hides(list: HideList, address: PciAddress): boolean {
  return list.entries.some((entry) => covers(entry, address));
}

/** The devices a list hides: its explicit addresses, and the known devices its wildcards cover. */
export function coveredDevices(list: HideList, known: Iterable<PciAddress>): Set<PciAddress> {
  const covered = new Set<PciAddress>();
  for (const entry of list.entries) if (entry.kind === 'device') covered.add(entry.address);
  if (list.entries.some((entry) => entry.kind === 'wildcard')) {
    for (const address of known) if (hides(list, address)) covered.add(address);
  }
  return covered;
}

/** One list holding the entries of several (a string module parameter per key), duplicates dropped. */
export function mergeHideLists(lists: readonly HideList[]): HideList {
  const entries = new Map<string, HideEntry>();
  for (const entry of lists.flatMap((list) => list.entries)) entries.set(entryKey(entry), entry);
  return { entries: [...entries.values()], unreadable: lists.flatMap((list) => list.unreadable) };
}

const entryKey = (entry: HideEntry) => (entry.kind === 'device' ? entry.address : entry.text);

/**
 * Hides and unhides in one edit. A hidden device that no entry covers gets
 * its own; an unhidden one loses its entry, and a wildcard covering it gives
 * way to the explicit entries of the known devices it covered that stay hidden.
 */
export function editHideList(
  list: HideList,
  change: { readonly hide: readonly PciAddress[]; readonly unhide: readonly PciAddress[] },
  known: Iterable<PciAddress>,
): HideList {
  const unhide = new Set(change.unhide);
  const entries: HideEntry[] = [];
  for (const entry of list.entries) {
    if (![...unhide].some((address) => covers(entry, address))) entries.push(entry);
    else if (entry.kind === 'wildcard') {
      for (const address of known) {
        if (covers(entry, address) && !unhide.has(address)) entries.push({ kind: 'device', address });
      }
    }
  }
  for (const address of change.hide) {
    if (!unhide.has(address) && !entries.some((entry) => covers(entry, address))) {
      entries.push({ kind: 'device', address });
    }
  }
  return mergeHideLists([{ entries, unreadable: list.unreadable }]);
}

/**
 * Explicit devices first, sorted, then wildcards as written, then what could
 * not be read: xen-pciback stops at the latter, so everything readable comes before it.
 */
export function formatHideList(list: HideList): string {
  const devices = list.entries.flatMap((e) => (e.kind === 'device' ? [e.address] : [])).sort(comparePciAddresses);
  const wildcards = list.entries.flatMap((e) => (e.kind === 'wildcard' ? [e.text] : []));
  return [...new Set(devices)].map((a) => `(${a})`).join('') + [...wildcards, ...list.unreadable].join('');
}

/** A list of exactly these devices. */
export function explicitHideList(addresses: Iterable<PciAddress>): HideList {
  return mergeHideLists([{ entries: [...addresses].map((address) => ({ kind: 'device', address })), unreadable: [] }]);
}
