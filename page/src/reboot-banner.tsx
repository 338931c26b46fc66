import type { NextBootView } from './api-types.ts';
import type { BootChange } from './next-boot.ts';
import { plural } from './words.ts';

/**
 * Shown while the next boot's hide list differs from the running one, or the
 * preflight finds the next boot unsafe: exactly what that boot changes, and
 * what to fix before the reboot.
 */
export function RebootBanner({
  changes,
  verdict,
}: {
  readonly changes: readonly BootChange[];
  readonly verdict: NextBootView | null;
}) {
  const unsafe = verdict !== null && !verdict.ok;
  if (changes.length === 0 && !unsafe) return null;
  return (
    <section class="reboot-banner" aria-labelledby="reboot-title">
      <h2 id="reboot-title">
        {changes.length > 0
          ? `Reboot pending: the next boot changes ${plural(changes.length, 'device')}`
          : 'The next boot is not safe'}
      </h2>
      {changes.length > 0 && (
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
      )}
      {verdict && <Preflight verdict={verdict} />}
      <p class="help">Nothing changes until the host reboots; the running system keeps every device as it is.</p>
    </section>
  );
}

/** The preflight's verdict, as `passthru preflight` prints it: run it before every reboot. */
function Preflight({ verdict }: { readonly verdict: NextBootView }) {
  const line =
    verdict.dom0_line_length === null
      ? null
      : `the dom0 line is ${verdict.dom0_line_length} of ${verdict.limit} characters`;
  if (verdict.ok)
    return (
      <p class="preflight">Preflight: the next boot comes back and hides what its list says{line && `; ${line}`}.</p>
    );
  return (
    <div class="preflight" role="alert">
      <p>
        <strong>Preflight: fix this before you reboot</strong>
        {line && ` (${line})`}:
      </p>
      <ul>
        {verdict.problems.map((problem) => (
          <li key={problem.code + problem.detail}>
            <span class="mono">{problem.code}</span>: {problem.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
