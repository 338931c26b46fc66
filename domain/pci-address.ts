import { invalidInput } from './errors.ts';

declare const canonical: unique symbol;
/** A PCI address in the canonical long lower-case form `dddd:bb:dd.f`. */
export type PciAddress = string & { readonly [canonical]: true };

// Device numbers are 5 bits (00-1f) and function numbers 3 bits (0-7).
const ADDRESS = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([01][0-9a-f])\.([0-7])$/;

export function parsePciAddress(input: string): PciAddress {
  const match = ADDRESS.exec(input.toLowerCase());
  if (input.length > 12 || !match) {
    throw invalidInput(`"${printable(input)}" is not a PCI address: expected DDDD:BB:DD.F or BB:DD.F in hexadecimal`, {
      address: printable(input),
    });
  }
  const [, domain = '0000', bus, device, fn] = match;
  return `${domain}:${bus}:${device}.${fn}` as PciAddress;
}

/** The slot of a function: its address without the function number. */
export const slotOf = (id: PciAddress): string => id.slice(0, id.lastIndexOf('.'));

/** Whether a text is already an address in the canonical form, as sysfs names devices and xenstore holds them. */
export function isPciAddress(text: string): text is PciAddress {
  return /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/.test(text);
}

export function comparePciAddresses(a: PciAddress, b: PciAddress): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps hostile input out of messages and logs: short, and no control characters. */
function printable(input: string): string {
  const visible = input.replace(/[^\x20-\x7e]/g, '?');
  return visible.length > 40 ? `${visible.slice(0, 40)}...` : visible;
}
