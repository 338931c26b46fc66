import type { PciAddress } from '../domain/pci-address.ts';

/**
 * Stream names carry the host's identity so one store can hold a pool. A host
 * id never holds `@`, so one host's prefix never matches another's
 * (`pci-alpha@` is not a prefix of `pci-alpha-2@...`).
 */
export const deviceStream = (hostId: string, pci: PciAddress) => `${deviceStreamPrefix(hostId)}${pci}`;
export const deviceStreamPrefix = (hostId: string) => `pci-${hostId}@`;
export const hostStream = (hostId: string) => `host-${hostId}`;
export const tokenStream = (hostId: string) => `tokens-${hostId}`;
export const planStream = (hostId: string) => `plans-${hostId}`;
