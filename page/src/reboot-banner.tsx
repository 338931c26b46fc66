import type { BootChange } from './next-boot.ts';
import { plural } from './words.ts';

/** Shown while the next boot's hide list differs from the running one: exactly what that boot changes. */
export function RebootBanner({ changes }: { readonly changes: readonly BootChange[] }) {
  if (changes.length === 0) return null;
  return (
    <section class="reboot-banner" aria-labelledby="reboot-title">
      <h2 id="reboot-title">Reboot pending: the next boot changes {plural(changes.length, 'device')}</h2>
      <ul>
        {changes.map((change) => (
          <li key={change.id}>
            <span class="mono">{change.id}</span>
            {change.record && <span class="muted"> {change.record.device_name}</span>}
            {': '}
            <strong>{change.hidden ? 'hidden from dom0' : 'back with dom0'}</strong>
          </li>
        ))}
      </ul>
      <p class="help">Nothing changes until the host reboots; the running system keeps every device as it is.</p>
    </section>
  );
}
