import type { DeviceIdentity } from '../../domain/device.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { builtInClassName } from '../../domain/pci-classes.ts';
import { builtInDeviceName, builtInVendorName } from '../../domain/pci-vendors.ts';
import type { PciIds } from './pci-ids.ts';

/** The ids a device's configuration space holds, as lower-case hex. */
export interface DeviceCodes {
  readonly class_id: string;
  readonly vendor_id: string;
  readonly device_id: string;
  /** Null when the device has no subsystem ids (bridges show 0000). */
  readonly subsystem: { readonly vendor_id: string; readonly device_id: string } | null;
}

/**
 * A device's identity with a name for every id: pci.ids first, the built-in
 * tables of classes, common vendors and devices for what it does not know
 * (or when there is no pci.ids), else the id itself.
 */
export function nameDevice(id: PciAddress, codes: DeviceCodes, ids: PciIds): DeviceIdentity {
  const { class_id, vendor_id, device_id, subsystem } = codes;
  return {
    id,
    class_id,
    class_name: ids.className(class_id) ?? builtInClassName(class_id) ?? class_id,
    vendor_id,
    vendor_name: vendorName(ids, vendor_id),
    device_id,
    device_name: ids.deviceName(vendor_id, device_id) ?? builtInDeviceName(vendor_id, device_id) ?? device_id,
    ...(subsystem
      ? {
          subsystem_vendor_id: subsystem.vendor_id,
          subsystem_vendor_name: vendorName(ids, subsystem.vendor_id),
          subsystem_device_id: subsystem.device_id,
          subsystem_device_name:
            ids.subsystemName(vendor_id, device_id, subsystem.vendor_id, subsystem.device_id) ?? subsystem.device_id,
        }
      : {}),
  };
}

function vendorName(ids: PciIds, vendorId: string): string {
  return ids.vendorName(vendorId) ?? builtInVendorName(vendorId) ?? vendorId;
}
