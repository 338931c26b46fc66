import { comparePciAddresses, type PciAddress } from './pci-address.ts';

/** One entry xen-pciback reads: a device, or every function of a slot or every slot of a bus. */
export type HideEntry =
  | { readonly kind: 'device'; readonly address: PciAddress }
  | {
      readonly kind: 'wildcard';
      /**
       * As written, so a wildcard passthru leaves alone is written back as it
       * was, but for its blanks: `%x` skips them, so xen-pciback reads it the
       * same without, while written back inside one parameter a blank would
       * end it on the next boot's command line and cut the entry in two.
       */
      readonly text: string;
      readonly domain: number;
      readonly bus: number;
      /** Null for `*.*`, every slot of the bus. */
      readonly slot: number | null;
    };

export interface HideList {
  /** Every entry xen-pciback can read, those after an unreadable one too: they are what a repair keeps. */
  readonly entries: readonly HideEntry[];
  /**
   * Each entry xen-pciback cannot parse or finds out of range, verbatim. One is
   * enough for `pcistub_init` to fail before pciback registers: it then hides nothing.
   */
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
 * after the other, blanks around them allowed. What it cannot parse, or whose
 * numbers are out of range, is kept verbatim up to the next `(`, so that an
 * operator can drop or fix each such entry on its own; reading goes on after it.
 */
export function parseHideList(value: string): HideList {
  const entries: HideEntry[] = [];
  const unreadable: string[] = [];
  let at = 0;
  while (value.slice(at).trim() !== '') {
    const read = readEntry(value, at);
    if (read) {
      entries.push(read.entry);
      at = read.next;
      continue;
    }
    const start = at + (value.slice(at).length - value.slice(at).trimStart().length);
    const next = value.indexOf('(', start + 1);
    const end = next < 0 ? value.length : next;
    unreadable.push(value.slice(start, end).trim());
    at = end;
  }
  return { entries, unreadable };
}

/** Whether xen-pciback refuses the whole list, and with it hides nothing at all. */
export const isRejected = (list: HideList): boolean => list.unreadable.length > 0;

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
    const entry = entryOf(domain ?? null, bus ?? null, slot ?? null, fn ?? null, match[0].replace(/\s+/g, ''));
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

/** The PCI bridges above a device, from the root down; none when its place is unknown. */
export type BridgesAbove = (address: PciAddress) => readonly PciAddress[];

/**
 * The devices a list hides: its explicit addresses, the known devices its
 * wildcards cover, and, as `pcistub_match_one` walks up through the parent
 * bridges, every known device below a bridge it names. A list xen-pciback
 * rejects hides nothing.
 */
export function coveredDevices(
  list: HideList,
  known: Iterable<PciAddress>,
  bridgesAbove: BridgesAbove = () => [],
): Set<PciAddress> {
  const covered = new Set<PciAddress>();
  if (isRejected(list)) return covered;
  for (const entry of list.entries) if (entry.kind === 'device') covered.add(entry.address);
  for (const address of known) {
    if (names(list, address) || hidingBridge(list, address, bridgesAbove)) covered.add(address);
  }
  return covered;
}

const names = (list: HideList, address: PciAddress) => list.entries.some((entry) => covers(entry, address));

/** The bridge above a device that the list names, which hides the device with it; null when none does. */
export function hidingBridge(list: HideList, address: PciAddress, bridgesAbove: BridgesAbove): PciAddress | null {
  return bridgesAbove(address).find((bridge) => names(list, bridge)) ?? null;
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
 * Explicit devices first, sorted, then wildcards as written. What xen-pciback
 * cannot read is never written: one such entry makes it hide nothing at all.
 */
export function formatHideList(list: HideList): string {
  const devices = list.entries.flatMap((e) => (e.kind === 'device' ? [e.address] : [])).sort(comparePciAddresses);
  const wildcards = list.entries.flatMap((e) => (e.kind === 'wildcard' ? [e.text] : []));
  return [...new Set(devices)].map((a) => `(${a})`).join('') + wildcards.join('');
}

/** A list of exactly these devices. */
export function explicitHideList(addresses: Iterable<PciAddress>): HideList {
  return mergeHideLists([{ entries: [...addresses].map((address) => ({ kind: 'device', address })), unreadable: [] }]);
}
