import type { Holder, HolderReading } from '../../domain/holders.ts';
import type { PciAddress } from '../../domain/pci-address.ts';

/** A device's holder as a reading gives it: null when none, undefined when it cannot be known. */
export function holderIn(reading: HolderReading, id: PciAddress): Holder | null | undefined {
  return reading.known ? (reading.holders.get(id) ?? null) : undefined;
}

/** A holder as the CLI's tables show it: the guest's name and domain id, `-` for none, `unknown` when unreadable. */
export function holderCell(holder: Holder | null | undefined): string {
  if (holder === undefined) return 'unknown';
  return holder ? `${holder.name} (${holder.domid})` : '-';
}

/** Whether holders could be read, as the host record says it. */
export type HoldersKnown = { readonly known: true } | { readonly known: false; readonly detail: string };

/** The line that says why no holder could be read, for the tables' readers; none when they could. */
export function holdersLine(reading: HoldersKnown): string[] {
  return reading.known ? [] : [`Holders: unknown, xenstore could not be read (${reading.detail})`];
}
