import type { HostView } from './api-types.ts';
import type { Connection } from './event-stream.ts';
import type { Session } from './session.ts';
import { formatTime } from './words.ts';

interface Props {
  readonly host: HostView | null;
  readonly bootSeenAt: string | null;
  readonly connection: Connection;
  readonly session: Session;
  readonly onRetry: () => void;
  readonly onSignOut: () => void;
}

function ConnectionState({ connection, onRetry }: { connection: Connection; onRetry: () => void }) {
  const words = {
    connecting: 'Connecting…',
    live: 'Live',
    disconnected: 'Disconnected',
    unavailable: 'No live updates',
  }[connection.state];
  const why = 'reason' in connection ? connection.reason : null;
  return (
    <div class={`connection connection-${connection.state}`} role="status" data-connection={connection.state}>
      <span class="connection-mark" aria-hidden="true" />
      <span>
        <strong>{words}</strong>
        {why && (
          <span class="connection-why">{` ${why}${connection.state === 'disconnected' ? '; retrying' : ''}`}</span>
        )}
      </span>
      {connection.state === 'disconnected' && (
        <button type="button" class="link" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}

export function HostSummary({ host, bootSeenAt, connection, session, onRetry, onSignOut }: Props) {
  const { who, roleAssumed } = session;
  return (
    <header class="top">
      <div class="top-row">
        <p class="brand">passthru</p>
        <ConnectionState connection={connection} onRetry={onRetry} />
        <div class="who">
          <span>
            {roleAssumed ? 'Signed in' : `${who.name}`}
            {!roleAssumed && <span class={`role role-${who.role}`}>{who.role}</span>}
          </span>
          <button type="button" class="quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </div>
      <h1 class="host-title">
        Host{' '}
        <span class="mono host-id" title={host?.host_id}>
          {host?.host_id ?? '…'}
        </span>
      </h1>
      {host && (
        <dl class="facts">
          <div>
            <dt>Mode</dt>
            <dd>
              {host.mode === 'simulated' ? (
                <span class="simulated">Simulated host: no Xen here, the boot configuration is a file</span>
              ) : (
                'Xen dom0'
              )}
            </dd>
          </div>
          <div>
            <dt>Boot id</dt>
            <dd class="mono boot-id">{host.boot_id}</dd>
          </div>
          <div>
            <dt>Boot seen</dt>
            <dd>{bootSeenAt ? <time dateTime={bootSeenAt}>{formatTime(bootSeenAt)}</time> : 'not recorded'}</dd>
          </div>
        </dl>
      )}
      {who.role === 'read-only' && !roleAssumed && (
        <p class="read-only-note">This token is read-only: you see everything, and changes are left to an operator.</p>
      )}
    </header>
  );
}
