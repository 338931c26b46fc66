import { useState } from 'preact/hooks';
import { ApiError, type Api } from './api.ts';
import type { Apply } from '../../domain/events.ts';
import type { CommandAnswer, CommandName, HostView, PciRecord } from './api-types.ts';
import { Modal } from './modal.tsx';
import { leftBehind, protections, statusAfter } from './next-boot.ts';
import { ChangeStates } from './change-states.tsx';
import { DialogFooter } from './dialog-footer.tsx';
import { COMMAND_WORDS, plural, PROTECTION_WORDS } from './words.ts';

export interface ChangeRequest {
  readonly command: CommandName;
  readonly records: readonly PciRecord[];
}

export interface ChangeDone {
  readonly request: ChangeRequest;
  readonly apply: Apply;
  readonly warnings: readonly string[];
}

interface Props {
  readonly api: Api;
  readonly request: ChangeRequest;
  readonly host: HostView;
  readonly pcis: readonly PciRecord[];
  readonly onDone: (done: ChangeDone) => void;
  readonly onClose: () => void;
}

/** One device through its own route, several through the batch route: one boot configuration edit, all or nothing. */
async function send(api: Api, { command, records }: ChangeRequest, body: Record<string, unknown>) {
  if (records.length === 1) {
    const answer = await api.post<CommandAnswer>(`/v1/pcis/${records[0]!.id}/${command}`, body);
    return answer.warnings ?? [];
  }
  const answer = await api.post<CommandAnswer>(`/v1/pcis/${command}`, { ...body, ids: records.map((r) => r.id) });
  return answer.warnings ?? [];
}

/** Why a device cannot be handed over now on this host, or null when it can. */
const cannotHandOver = (iommu: boolean | null): string | null => {
  if (iommu === true) return null;
  return iommu === false
    ? 'Not on this host: Xen reports no IOMMU, so no device can be handed to a guest before a reboot.'
    : 'Not on this host now: passthru cannot tell whether Xen has an IOMMU (it reads that from xl info), so changes wait for a reboot.';
};

/**
 * Says what the next boot will do before anything is sent, shows what a hide
 * would leave behind, asks for an explicit override with a reason before
 * hiding a protected device, and offers to hand the devices over now.
 */
export function ConfirmChange({ api, request, host, pcis, onDone, onClose }: Props) {
  const { command, records } = request;
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState(false);
  const [now, setNow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);

  const guarded = command === 'hide' ? records.filter((r) => protections(r).length > 0) : [];
  const needsOverride = guarded.length > 0 || refused;
  const warnings = command === 'hide' ? leftBehind(records, pcis) : [];
  const unavailable = cannotHandOver(host.iommu);
  const apply: Apply = now && unavailable === null ? 'now' : 'next-boot';
  const after = (r: PciRecord) => statusAfter(r.dom0_access, command, apply, host.current.includes(r.id));
  const changing = records.filter((r) => after(r) !== r.dom0_access);
  const ready = !busy && (!needsOverride || (override && reason.trim() !== ''));

  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(needsOverride && override ? { force: true } : {}),
      ...(apply === 'now' ? { apply } : {}),
    };
    try {
      onDone({ request, apply, warnings: await send(api, request, body) });
    } catch (failure) {
      setError((failure as Error).message);
      // A refusal the records did not foresee (the host changed since they were read) can be overridden too.
      if (failure instanceof ApiError && failure.status === 409) setRefused(true);
      setBusy(false);
    }
  };

  const title = `${COMMAND_WORDS[command].verb}: ${records.length === 1 ? records[0]!.id : plural(records.length, 'device')}?`;
  return (
    <Modal labelledBy="confirm-title" onClose={onClose} className="confirm">
      <form onSubmit={confirm}>
        <h2 id="confirm-title">{title}</h2>
        <p>
          {changing.length === 0
            ? 'Nothing would change: the next boot already does this.'
            : command === 'hide'
              ? `${apply === 'now' ? 'Now, and from' : 'From'} the next boot on, dom0 no longer uses ${changing.length === 1 ? 'this device: xen-pciback holds it' : 'these devices: xen-pciback holds them'} for passthrough to a guest.`
              : `${apply === 'now' ? 'Now, and from' : 'From'} the next boot on, dom0 uses ${changing.length === 1 ? 'this device' : 'these devices'} again.`}{' '}
          {apply === 'next-boot' && 'Nothing changes before the host reboots.'}
        </p>
        <ul class="change-list" aria-label="What the next boot does" tabIndex={0}>
          {records.map((r) => {
            return (
              <li key={r.id}>
                <span class="mono">{r.id}</span> <span class="muted">{r.device_name}</span>
                <ChangeStates from={r.dom0_access} to={after(r)} />
              </li>
            );
          })}
        </ul>
        {warnings.length > 0 && (
          <div class="warnings">
            <h3>Left behind</h3>
            <ul>
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        )}
        {needsOverride && (
          <div class="override">
            <h3>Protected</h3>
            {guarded.map((r) =>
              protections(r).map((g) => (
                <p key={`${r.id} ${g.reason} ${g.detail}`}>
                  <span class="mono">{r.id}</span> is the {PROTECTION_WORDS[g.reason]} ({g.detail}). Hidden from dom0,
                  the host may fail to boot or to be reached.
                </p>
              )),
            )}
            <label class="check">
              <input type="checkbox" checked={override} onChange={(e) => setOverride(e.currentTarget.checked)} />
              Override the protection for this change
            </label>
          </div>
        )}
        <div class={`hand-over${apply === 'now' ? ' hand-over-on' : ''}`}>
          <label class="check">
            <input
              type="checkbox"
              checked={apply === 'now'}
              disabled={unavailable !== null}
              aria-describedby="hand-over-what"
              onChange={(e) => setNow(e.currentTarget.checked)}
            />
            Hand over now
          </label>
          <p id="hand-over-what" class="small">
            Without waiting for a reboot: {COMMAND_WORDS[command].handOver}.
            {unavailable && <span class="block">{unavailable}</span>}
          </p>
        </div>
        <label class="field">
          <span>
            Reason{' '}
            {needsOverride ? (
              <span class="muted">(required for an override)</span>
            ) : (
              <span class="muted">(optional)</span>
            )}
          </span>
          <input
            type="text"
            maxLength={500}
            value={reason}
            required={needsOverride}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <DialogFooter
          error={error}
          onClose={onClose}
          closeLabel="Cancel"
          submit={{
            label: busy ? 'Working…' : `${COMMAND_WORDS[command].verb} ${apply === 'now' ? 'now' : 'at next boot'}`,
            disabled: !ready,
          }}
        />
      </form>
    </Modal>
  );
}
