import { useState } from 'preact/hooks';
import type { CommandName, PciRecord } from './api-types.ts';
import { ConfirmChange, type ChangeDone, type ChangeRequest } from './confirm-change.tsx';
import { DevicePanel } from './device-panel.tsx';
import { DeviceTable } from './device-table.tsx';
import { Feed } from './feed.tsx';
import { HostSummary } from './host-summary.tsx';
import { nextBootChanges } from './next-boot.ts';
import { PlanPanel } from './plan-panel.tsx';
import { RebootBanner } from './reboot-banner.tsx';
import type { Session } from './session.ts';
import { useHostData } from './use-host-data.ts';
import { COMMAND_WORDS, plural } from './words.ts';

/** The signed-in page: the host, what its next boot changes, its devices, and what happened. */
export function Console({ session, onSignOut }: { readonly session: Session; readonly onSignOut: () => void }) {
  const { api, who } = session;
  const data = useHostData(api);
  const [request, setRequest] = useState<ChangeRequest | null>(null);
  const [done, setDone] = useState<ChangeDone | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const canChange = who.role === 'operator';
  const { host, pcis } = data;

  const ask = (command: CommandName, records: readonly PciRecord[]) => {
    setDone(null);
    setRequest({ command, records });
  };
  const finished = (result: ChangeDone) => {
    setRequest(null);
    setDone(result);
    data.refresh();
  };

  return (
    <>
      <HostSummary
        host={host}
        bootSeenAt={data.bootSeenAt}
        connection={data.connection}
        session={session}
        onRetry={data.retryNow}
        onSignOut={onSignOut}
      />
      <main class="layout">
        {data.loadError && (
          <p class="error" role="alert">
            {data.loadError}
          </p>
        )}
        <div role="status" class="done-region">
          {done && (
            <div class="done">
              <p>
                {done.request.records.length === 1
                  ? done.request.records[0]!.id
                  : plural(done.request.records.length, 'device')}
                : {COMMAND_WORDS[done.request.command][done.apply === 'now' ? 'doneNow' : 'done']}.
              </p>
              {done.warnings.length > 0 && (
                <ul class="warnings">
                  {done.warnings.map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
              <button type="button" class="quiet" onClick={() => setDone(null)}>
                Dismiss
              </button>
            </div>
          )}
        </div>
        {host && pcis && <RebootBanner changes={nextBootChanges(host, pcis)} verdict={data.nextBoot} />}
        {canChange && <PlanPanel api={api} onApplied={data.refresh} />}
        <div class="columns">
          {pcis ? (
            <DeviceTable pcis={pcis} canChange={canChange} onCommand={ask} onOpen={setOpen} />
          ) : (
            <p class="card muted">Reading the devices…</p>
          )}
          {host && <Feed api={api} live={data.live} hostId={host.host_id} head={host.projection_position} />}
        </div>
      </main>
      {request && host && pcis && (
        <ConfirmChange
          api={api}
          request={request}
          host={host}
          pcis={pcis}
          onDone={finished}
          onClose={() => setRequest(null)}
        />
      )}
      {open && pcis && !request && (
        <DevicePanel
          api={api}
          id={open}
          pcis={pcis}
          live={data.live}
          canChange={canChange}
          onCommand={ask}
          onOpen={setOpen}
          onClose={() => setOpen(null)}
        />
      )}
    </>
  );
}
