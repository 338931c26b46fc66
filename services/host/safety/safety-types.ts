import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';

export interface SafetyPaths {
  readonly sysfs: string;
  readonly sysfsPci: string;
  readonly mountinfo: string;
  readonly xensourceInventory: string;
  readonly netRoute: string;
  /** Open vSwitch's ovs-vsctl, asked for a bridge's ports; null when there is none to ask. */
  readonly ovsVsctl: string | null;
  /** lvm2's pvs, asked for the physical volumes of the local SRs; null when there is none to ask. */
  readonly pvs: string | null;
}

/** What the host says of one device's place: whether dom0 needs it, and what must move with it. */
export interface DeviceSafety {
  readonly protections: readonly Protection[];
  readonly dependencies: readonly PciAddress[];
}

export interface HostSafety {
  readonly devices: ReadonlyMap<PciAddress, DeviceSafety>;
  readonly problems: readonly string[];
}

/** What one reader of the host found: devices it protects, and what it could not work out. */
export interface Found {
  readonly protections: readonly { readonly pci: PciAddress; readonly protection: Protection }[];
  /** What could not be worked out, so an operator knows the protection is incomplete. */
  readonly problems: readonly string[];
}
