import type { PciRecord } from './api-types.ts';

/** The running guest a device is passed through to, by name and domain id. */
export function Holder({ guest }: { readonly guest: NonNullable<PciRecord['assigned_to']> }) {
  return (
    <span class="holder">
      <strong>{guest.name}</strong> <span class="muted small">domain {guest.domid}</span>
    </span>
  );
}
