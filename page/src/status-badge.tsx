import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { STATUS_WORDS } from './words.ts';

/** A state in colour, shape and words, so none of them alone carries the meaning. */
export function StatusBadge({ status }: { readonly status: Dom0AccessStatus }) {
  const words = STATUS_WORDS[status];
  return (
    <span class={`badge badge-${status}`} title={words.meaning}>
      <span class="badge-mark" aria-hidden="true" />
      {words.label}
    </span>
  );
}
