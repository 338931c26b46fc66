import type { PciAddress } from './pci-address.ts';

/** What the host's PCI inventory says of one device. */
export interface DeviceIdentity {
  readonly id: PciAddress;
  /** The 24-bit PCI class code as six hex digits, e.g. `030000`. */
  readonly class_id: string;
  readonly class_name: string;
  readonly vendor_id: string;
  readonly vendor_name: string;
  readonly device_id: string;
  readonly device_name: string;
  /** The subsystem (the board maker's ids), for devices that have one: the four fields come together. */
  readonly subsystem_vendor_id?: string;
  readonly subsystem_vendor_name?: string;
  readonly subsystem_device_id?: string;
  readonly subsystem_device_name?: string;
}

/** Display controllers (PCI base class 0x03) are the devices XAPI models as PGPUs. */
export function isDisplayClass(classId: string): boolean {
  return classId.startsWith('03');
}

/** PCI-to-PCI bridges (class 0x0604, and 0x0609 semi-transparent): the tree's inner nodes. */
export function isBridgeClass(classId: string): boolean {
  return classId.startsWith('0604') || classId.startsWith('0609');
}
