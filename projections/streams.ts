import type { PciAddress } from '../domain/pci-address.ts';

/** Stream names carry the host's identity so one store can hold a pool. */
export const deviceStream = (hostId: string, pci: PciAddress) => `pci-${hostId}-${pci}`;
export const deviceStreamPrefix = (hostId: string) => `pci-${hostId}-`;
export const hostStream = (hostId: string) => `host-${hostId}`;
