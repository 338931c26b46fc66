import { useState } from 'preact/hooks';
import type { Static } from 'typebox';
import type { PlanView } from '../../services/http/plan-schemas.ts';
import type { Api } from './api.ts';
import { ChangeStates } from './change-states.tsx';
import { DialogFooter } from './dialog-footer.tsx';
import { Modal } from './modal.tsx';
import { plural } from './words.ts';

type Plan = Static<typeof PlanView>;

interface Props {
  readonly api: Api;
  /** Called once a plan is applied, so the page reads the host again. */
  readonly onApplied: () => void;
}

/**
 * A desired-state document, pasted or uploaded, planned by the service and
 * shown as a change is confirmed: each device's status now and after, then
 * applied with one button, as one batch.
 */
export function PlanPanel({ api, onApplied }: Props) {
  const [text, setText] = useState('');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<string | null>(null);

  const upload = async (files: FileList | null) => {
    const file = files?.[0];
    if (file) setText(await file.text());
  };

  const makePlan = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setApplied(null);
    try {
      // YAML holds JSON, so one content type serves both.
      setPlan(await api.postText<Plan>('/v1/plans', 'application/yaml', text));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const done = (message: string) => {
    setPlan(null);
    setApplied(message);
    onApplied();
  };

  return (
    <section class="card plan-panel" aria-labelledby="plan-title">
      <h2 id="plan-title">Plan from a document</h2>
      <form onSubmit={makePlan}>
        <label class="field">
          <span>Desired-state document (YAML or JSON)</span>
          <textarea rows={6} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Or upload a file</span>
          <input type="file" accept=".yaml,.yml,.json" onChange={(e) => void upload(e.currentTarget.files)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div role="status">{applied && <p class="done">{applied}</p>}</div>
        <button type="submit" class="primary" disabled={busy || text.trim() === ''}>
          {busy ? 'Planning…' : 'Plan'}
        </button>
      </form>
      {plan && <PlanDialog api={api} plan={plan} onDone={done} onClose={() => setPlan(null)} />}
    </section>
  );
}

function PlanDialog({
  api,
  plan,
  onDone,
  onClose,
}: {
  readonly api: Api;
  readonly plan: Plan;
  readonly onDone: (message: string) => void;
  readonly onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const applicable = plan.changes.length > 0 && plan.refusals.length === 0;

  const apply = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/v1/plans/${plan.id}/apply`);
      onDone(`Plan applied: ${plural(plan.changes.length, 'device')} changed.`);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <Modal labelledBy="plan-dialog-title" onClose={onClose} className="confirm">
      <form onSubmit={apply}>
        <h2 id="plan-dialog-title">Apply the plan?</h2>
        <p>
          {plan.changes.length === 0
            ? 'Nothing would change: the host is already as the document says.'
            : `${plural(plan.changes.length, 'device')} would change, in one edit, all or nothing.`}{' '}
          {plan.reboot_needed && 'Some changes wait for the next boot.'}
        </p>
        {plan.changes.length > 0 && (
          <ul class="change-list" aria-label="What the plan changes" tabIndex={0}>
            {plan.changes.map((c) => (
              <li key={c.id}>
                <span class="mono">{c.id}</span>{' '}
                <span class="muted">
                  {c.entry ? `${c.entry.pointer}${c.entry.reason ? `: ${c.entry.reason}` : ''}` : 'not named (exact)'}
                </span>
                <ChangeStates from={c.from} to={c.to} />
              </li>
            ))}
          </ul>
        )}
        {plan.refusals.length > 0 && (
          <div class="override">
            <h3>Refused</h3>
            <ul>
              {plan.refusals.map((r) => (
                <li key={r.id}>{r.detail}</li>
              ))}
            </ul>
          </div>
        )}
        {(plan.warnings.length > 0 || plan.next_boot.problems.length > 0) && (
          <div class="warnings">
            <h3>Warnings</h3>
            <ul>
              {plan.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
              {plan.next_boot.problems.map((p) => (
                <li key={p.detail}>Next boot: {p.detail}</li>
              ))}
            </ul>
          </div>
        )}
        <DialogFooter
          error={error}
          onClose={onClose}
          closeLabel={applicable ? 'Cancel' : 'Close'}
          submit={applicable ? { label: busy ? 'Working…' : 'Apply plan', disabled: busy } : null}
        />
      </form>
    </Modal>
  );
}
