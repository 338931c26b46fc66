import { readFile } from 'node:fs/promises';

/** One IPv4 route of the main table, its addresses as numbers. */
export interface Route {
  readonly iface: string;
  readonly destination: number;
  readonly mask: number;
  readonly metric: number;
}

const RTF_UP = 0x1;

/**
 * `/proc/net/route`: a header, then `Iface Destination Gateway Flags RefCnt Use Metric Mask ...`,
 * addresses in hex as the host's memory holds them (little-endian on dom0's x86).
 * Routes that are down are left out; an unreadable table holds none.
 */
export async function readRoutes(path: string): Promise<Route[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .flatMap(([iface, destination, , flags, , , metric, mask]) =>
      iface && destination && mask && parseInt(flags ?? '0', 16) & RTF_UP
        ? [{ iface, destination: fromHex(destination), mask: fromHex(mask), metric: Number(metric) }]
        : [],
    );
}

/** The interfaces of the default routes. */
export const defaultRouteInterfaces = (routes: readonly Route[]): string[] => [
  ...new Set(routes.filter((r) => r.destination === 0 && r.mask === 0).map((r) => r.iface)),
];

/** The interface the kernel sends to an IPv4 address through: the longest prefix, then the lowest metric; null when no route reaches it. */
export function interfaceTo(routes: readonly Route[], address: string): string | null {
  const to = ipv4(address);
  if (to === null) return null;
  const matching = routes.filter((r) => (to & r.mask) >>> 0 === r.destination);
  const best = matching.sort((a, b) => prefixLength(b.mask) - prefixLength(a.mask) || a.metric - b.metric)[0];
  return best?.iface ?? null;
}

/** A dotted IPv4 address as a number, or null for anything else (an IPv6 address, a name). */
export function ipv4(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The kernel prints each address as the 32-bit word holding its bytes in network order, so on little-endian the bytes are reversed. */
function fromHex(hex: string): number {
  const word = parseInt(hex, 16);
  return (((word & 0xff) << 24) | (((word >>> 8) & 0xff) << 16) | (((word >>> 16) & 0xff) << 8) | (word >>> 24)) >>> 0;
}

function prefixLength(mask: number): number {
  let bits = 0;
  for (let m = mask; m !== 0; m = (m << 1) >>> 0) bits++;
  return bits;
}
