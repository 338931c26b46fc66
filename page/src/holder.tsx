import type { PciRecord } from './api-types.ts';

/** The running guest a device is passed through to, by name and domain id; its VM's uuid on hover. */
export function Holder({ guest }: { readonly guest: NonNullable<PciRecord['assigned_to']> }) {
  return (
    <span class="holder" title={guest.vm_uuid ? `VM ${guest.vm_uuid}` : undefined}>
      <strong>{guest.name}</strong> <span class="muted small">domain {guest.domid}</span>
    </span>
  );
}

/**
 * Who holds a device: its guest, `none` words when no guest does, or
 * "unknown" when xenstore could not be read: unknown is never shown as free.
 */
export function HeldBy({ record, none }: { readonly record: PciRecord; readonly none: string }) {
  const unknown = heldUnknown(record);
  if (unknown)
    return (
      <span class="holder-unknown" title={unknown.detail}>
        unknown
      </span>
    );
  return record.assigned_to ? <Holder guest={record.assigned_to} /> : <span class="muted">{none}</span>;
}

/** Why who holds the device cannot be known, as its verdict says; undefined when it can. */
export function heldUnknown(record: PciRecord) {
  return record.passthrough.problems.find((p) => p.code === 'holder_unknown');
}
