import type { PciAddress } from './pci-address.ts';

/** A running domain that a device is passed through to. */
export interface Holder {
  readonly domid: number;
  readonly name: string;
}

// xl prints addresses as %04x:%02x:%02x.%01x, the canonical form.
const ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

const addressOf = (word: string | undefined): PciAddress | null =>
  word !== undefined && ADDRESS.test(word) ? (word as PciAddress) : null;

/**
 * The guests of `xl list`: a heading, then `Name ID Mem VCPUs State Time(s)`
 * per domain. A name holds no blanks, so the second word is the id. Dom0
 * (id 0) is left out: what it holds is not passed through.
 */
export function guestsFromXlList(output: string): Holder[] {
  const guests: Holder[] = [];
  for (const line of output.split('\n')) {
    const [name, id] = line.trim().split(/\s+/);
    if (name === undefined || id === undefined || !/^\d+$/.test(id) || id === '0') continue;
    guests.push({ domid: Number(id), name });
  }
  return guests;
}

/** The devices of `xl pci-list DOMAIN`: a `Vdev Device` heading, then the guest's slot and the host's address. */
export function devicesFromXlPciList(output: string): PciAddress[] {
  return output.split('\n').flatMap((line) => {
    const address = addressOf(line.trim().split(/\s+/)[1]);
    return address ? [address] : [];
  });
}

/** The devices of `xl pci-assignable-list`: one address a line, some xl versions add a name after it. */
export function devicesFromXlAssignableList(output: string): PciAddress[] {
  return output.split('\n').flatMap((line) => {
    const address = addressOf(line.trim().split(/\s+/)[0]);
    return address ? [address] : [];
  });
}
