import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { StatusBadge } from './status-badge.tsx';

/** A device's status now and after a change, as every confirmation shows it. */
export function ChangeStates({ from, to }: { readonly from: Dom0AccessStatus; readonly to: Dom0AccessStatus }) {
  return (
    <span class="change-states">
      <StatusBadge status={from} />
      {to === from ? (
        <span class="muted"> no change</span>
      ) : (
        <>
          <span aria-hidden="true"> → </span>
          <span class="visually-hidden"> becomes </span>
          <StatusBadge status={to} />
        </>
      )}
    </span>
  );
}
