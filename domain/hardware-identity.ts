import type { DeviceIdentity } from './device.ts';

/** What makes a device the one it is, whatever address it sits at: its class and ids, names aside. */
export type HardwareIdentity = Pick<
  DeviceIdentity,
  'class_id' | 'vendor_id' | 'device_id' | 'subsystem_vendor_id' | 'subsystem_device_id'
>;

export function hardwareIdentity(identity: DeviceIdentity): HardwareIdentity {
  const { class_id, vendor_id, device_id, subsystem_vendor_id, subsystem_device_id } = identity;
  return {
    class_id,
    vendor_id,
    device_id,
    ...(subsystem_vendor_id !== undefined ? { subsystem_vendor_id } : {}),
    ...(subsystem_device_id !== undefined ? { subsystem_device_id } : {}),
  };
}

/**
 * Whether two identities are the same hardware. The subsystem counts only when
 * both sides have one: a device recorded before passthru read subsystems is
 * compared by class, vendor and device.
 */
export function sameHardware(a: HardwareIdentity, b: HardwareIdentity): boolean {
  const bothHaveSubsystem = a.subsystem_vendor_id !== undefined && b.subsystem_vendor_id !== undefined;
  return (
    a.class_id === b.class_id &&
    a.vendor_id === b.vendor_id &&
    a.device_id === b.device_id &&
    (!bothHaveSubsystem ||
      (a.subsystem_vendor_id === b.subsystem_vendor_id && a.subsystem_device_id === b.subsystem_device_id))
  );
}

/** An identity in words, `10de:1db4 (class 030200, subsystem 10de:1212)`. */
export function describeHardware(identity: HardwareIdentity): string {
  const subsystem =
    identity.subsystem_vendor_id !== undefined
      ? `, subsystem ${identity.subsystem_vendor_id}:${identity.subsystem_device_id}`
      : '';
  return `${identity.vendor_id}:${identity.device_id} (class ${identity.class_id}${subsystem})`;
}

/** The hardware recorded when a device was hidden, and the hardware at its address now. */
export interface IdentityChange {
  readonly recorded: HardwareIdentity;
  readonly found: HardwareIdentity;
}

/** Whether the device at an address is another than the one hidden there; null when it is the same, or unknown. */
export function identityChange(
  recorded: HardwareIdentity | null,
  found: HardwareIdentity | null,
): IdentityChange | null {
  if (!recorded || !found || sameHardware(recorded, found)) return null;
  return { recorded, found };
}

/** A changed device in words, with the two ways out. */
export function describeChange(id: string, change: IdentityChange): string {
  return (
    `${id} was hidden as ${describeHardware(change.recorded)} but ${describeHardware(change.found)} sits there now: ` +
    `unhide it (passthru unhide ${id}), or confirm the new device with passthru hide ${id} --reason TEXT`
  );
}
