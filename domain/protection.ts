/** Why dom0 needs a device to come back after a reboot. */
export const PROTECTION_REASONS = ['boot_device', 'local_sr', 'management_interface', 'system_display'] as const;
export type ProtectionReason = (typeof PROTECTION_REASONS)[number];

export interface Protection {
  readonly reason: ProtectionReason;
  /** What makes it so, e.g. `/dev/nvme0n1p2 on /` or `eth0, a port of xenbr0 (management interface)`. */
  readonly detail: string;
  /** What XAPI's error names: the source device (`/dev/sda1`), the interface, or why the operation is not allowed. */
  readonly subject: string;
}

/** A record's `protected`: null, or every protection that applies (a list of one when one does). */
export type ProtectedField = { readonly reason: ProtectionReason; readonly detail: string }[] | null;

export function protectedField(protections: readonly Protection[]): ProtectedField {
  return protections.length === 0 ? null : protections.map(({ reason, detail }) => ({ reason, detail }));
}

/** Protections in words, e.g. `boot_device: /dev/nvme0n1p2 on /`. */
export function describeProtections(protections: readonly { reason: string; detail: string }[]): string {
  return protections.map((p) => `${p.reason}: ${p.detail}`).join('; ');
}

/** The devices of a safety reading that dom0 needs to come back after a reboot. */
export function protectedIds<Id>(devices: ReadonlyMap<Id, { readonly protections: readonly Protection[] }>): Id[] {
  return [...devices].filter(([, device]) => device.protections.length > 0).map(([id]) => id);
}
