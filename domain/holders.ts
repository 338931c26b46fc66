import { isPciAddress, type PciAddress } from './pci-address.ts';

/** A running domain a device is passed through to, as xenstore names it. */
export interface Holder {
  readonly domid: number;
  /** xapi's VM name-label (xenopsd writes it): it may hold blanks. */
  readonly name: string;
  /** The VM's uuid, from `/local/domain/<domid>/vm` (`/vm/<uuid>`); null when xenstore has none. */
  readonly vm_uuid: string | null;
}

/** Who holds each device, or why that cannot be known: an unknown is never read as "nobody". */
export type HolderReading =
  | { readonly known: true; readonly holders: ReadonlyMap<PciAddress, Holder> }
  | { readonly known: false; readonly detail: string };

/** Where xenopsd (and libxl, for the guests it starts) write each device passed through to a domain. */
export const PCI_BACKEND = '/local/domain/0/backend/pci';

// `xenstore ls -f` prints `<full path> = "<value>"`, the value escaped but its quotes not (tools/xs-clients/xenstore_client.c, do_ls).
const DEVICE_LINE = /^\/local\/domain\/0\/backend\/pci\/(\d+)\/0\/dev-\d+ = "(.*)"$/;

/** The devices of `xenstore ls -f /local/domain/0/backend/pci`, each with the domain it is passed through to. */
export function heldDevices(output: string): Map<PciAddress, number> {
  const held = new Map<PciAddress, number>();
  for (const line of output.split('\n')) {
    const match = DEVICE_LINE.exec(line);
    if (!match) continue;
    // xenopsd and libxl both write the address as %04x:%02x:%02x.%01x, the canonical form.
    const address = unescapeXenstore(match[2]!).toLowerCase();
    const domid = Number(match[1]);
    if (isPciAddress(address) && domid !== 0) held.set(address, domid);
  }
  return held;
}

/** The uuid of a `/local/domain/<domid>/vm` value (`/vm/<uuid>`), or null when it names none. */
export function vmUuidOf(value: string): string | null {
  const match = /^\/vm\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(value);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * A value as the xenstore client prints it, unescaped: it writes `\\`, `\t`,
 * `\n`, `\r`, `\ooo` below 010 and `\xhh` for the rest of what is not
 * printable ASCII (sanitise_value in tools/xs-clients/xenstore_client.c).
 */
export function unescapeXenstore(printed: string): string {
  return printed.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{3}|[\\tnr])/g, (_all, code: string) => {
    if (code === 't') return '\t';
    if (code === 'n') return '\n';
    if (code === 'r') return '\r';
    if (code === '\\') return '\\';
    return String.fromCharCode(code[0] === 'x' ? parseInt(code.slice(1), 16) : parseInt(code, 8));
  });
}
