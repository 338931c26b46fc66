import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.ts';
import type { CommandName, DeviceState, HistoryEntry, HistoryPage, PciRecord } from './api-types.ts';
import { commandFor } from './device-table.tsx';
import { describeEvent } from './describe-event.ts';
import { HeldBy } from './holder.tsx';
import type { LiveEvents } from './live-events.ts';
import { eventPci } from './live-events.ts';
import { Modal } from './modal.tsx';
import { protections } from './next-boot.ts';
import { StatusBadge } from './status-badge.tsx';
import { Timeline } from './timeline.tsx';
import { COMMAND_WORDS, formatTime, PROTECTION_WORDS } from './words.ts';

interface Props {
  readonly api: Api;
  readonly id: string;
  readonly pcis: readonly PciRecord[];
  readonly live: LiveEvents;
  readonly canChange: boolean;
  readonly onCommand: (command: CommandName, records: readonly PciRecord[]) => void;
  readonly onOpen: (id: string) => void;
  readonly onClose: () => void;
}

// The timeline lists the newest events; the slider reaches every revision through the state route.
const SHOWN = 100;

/** One device: what it is, its timeline, and a slider back through its revisions. */
export function DevicePanel({ api, id, pcis, live, canChange, onCommand, onOpen, onClose }: Props) {
  const record = pcis.find((p) => p.id === id) ?? null;
  const [events, setEvents] = useState<readonly HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // null follows the newest revision as events arrive; a number holds the slider where the operator put it.
  const [held, setHeld] = useState<number | null>(null);
  const [state, setState] = useState<DeviceState | null>(null);
  // The event of a revision older than the timeline's newest: read with its state.
  const [olderEntry, setOlderEntry] = useState<HistoryEntry | null>(null);

  useEffect(() => {
    const device = `/v1/pcis/${encodeURIComponent(id)}`;
    // Revisions of a stream are consecutive: its latest state says where the newest page of its history starts.
    const load = async () => {
      try {
        const { revision } = await api.get<DeviceState>(`${device}/state`);
        const page = await api.get<HistoryPage>(
          `${device}/history?after=${Math.max(-1, revision - SHOWN)}&limit=${SHOWN}`,
        );
        setEvents(page.events);
        setError(null);
      } catch (failure) {
        setError((failure as Error).message);
      }
    };
    setEvents(null);
    setHeld(null);
    void load();
    return live.listen((entry) => {
      if (eventPci(entry) === id) void load();
    });
  }, [api, id]);

  const latest = events && events.length > 0 ? events[events.length - 1]!.revision : null;
  const at = held ?? latest;
  useEffect(() => {
    if (at === null) return;
    let current = true;
    const device = `/v1/pcis/${encodeURIComponent(id)}`;
    const shown = events?.some((e) => e.revision === at) ?? false;
    Promise.all([
      api.get<DeviceState>(`${device}/state?at=${at}`),
      shown ? null : api.get<HistoryPage>(`${device}/history?after=${at - 1}&limit=1`),
    ]).then(
      ([answer, older]) => {
        if (!current) return;
        setOlderEntry(older?.events[0] ?? null);
        setState(answer);
      },
      (failure: Error) => current && setError(failure.message),
    );
    return () => {
      current = false;
    };
  }, [api, id, at]);

  const atEntry = events?.find((e) => e.revision === at) ?? (olderEntry?.revision === at ? olderEntry : null);
  const command = record ? commandFor(record) : null;
  return (
    <Modal labelledBy="device-title" onClose={onClose} className="drawer">
      <div class="drawer-head">
        <h2 id="device-title" class="mono">
          {id}
        </h2>
        <button type="button" class="quiet" onClick={onClose}>
          Close
        </button>
      </div>
      {record ? (
        <div class="device-facts">
          <p>
            <strong>{record.device_name}</strong> <span class="muted">{record.vendor_name}</span>
            {record.pgpu && <span class="tag tag-pgpu">PGPU</span>}
          </p>
          <p class="muted">{record.class_name}</p>
          <p>
            Now: <StatusBadge status={record.dom0_access} />
          </p>
          <p>
            Held by: <HeldBy record={record} none="no running guest" />
          </p>
          {protections(record).map((g) => (
            <p key={`${g.reason} ${g.detail}`}>
              <span class="tag tag-protected">Protected: {PROTECTION_WORDS[g.reason]}</span>{' '}
              <span class="muted">{g.detail}</span>
            </p>
          ))}
          {record.dependencies.length > 0 && (
            <p>
              Dependencies:{' '}
              {record.dependencies.map((d) => (
                <button key={d} type="button" class="link mono" onClick={() => onOpen(d)}>
                  {d}
                </button>
              ))}
            </p>
          )}
          {canChange && command && (
            <button type="button" onClick={() => onCommand(command, [record])}>
              {COMMAND_WORDS[command].verb}
            </button>
          )}
        </div>
      ) : (
        <p class="muted">This host's inventory does not show {id} now; its history remains.</p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {events && latest !== null && at !== null && (
        <section class="time-travel" aria-labelledby="travel-title">
          <h3 id="travel-title">Time travel</h3>
          <label class="field">
            {/* Revisions count from 0: revision N is event N + 1 of the device's latest + 1. */}
            <span>
              Event {at + 1} of {latest + 1} (revision {at}){held === null ? ', now' : ''}
            </span>
            <input
              type="range"
              min={0}
              max={latest}
              step={1}
              value={at}
              aria-valuetext={`revision ${at}${atEntry ? `, ${formatTime(atEntry.at)}, ${describeEvent(atEntry).title}` : ''}`}
              onInput={(e) => {
                const value = Number(e.currentTarget.value);
                setHeld(value === latest ? null : value);
              }}
            />
          </label>
          {state && state.revision === at && atEntry && <StateAt state={state} entry={atEntry} />}
          {held !== null && (
            <button type="button" class="quiet" onClick={() => setHeld(null)}>
              Back to now
            </button>
          )}
        </section>
      )}
      <section aria-labelledby="timeline-title">
        <h3 id="timeline-title">Timeline</h3>
        {events === null ? (
          <p class="muted">Loading…</p>
        ) : (
          <>
            {latest !== null && latest + 1 > events.length && (
              <p class="muted small">
                The newest {events.length} of {latest + 1} events; the slider reaches every one.
              </p>
            )}
            <Timeline events={events} at={at} />
          </>
        )}
      </section>
    </Modal>
  );
}

/** The device as of one revision, and the event of that revision with its own time. */
function StateAt({ state, entry }: { readonly state: DeviceState; readonly entry: HistoryEntry }) {
  return (
    <div class="state-at" data-revision={state.revision}>
      <p>
        As of revision {state.revision}: <StatusBadge status={state.status} />
      </p>
      <p class="small muted">
        {describeEvent(entry).title}, <time dateTime={entry.at}>{formatTime(entry.at)}</time>
        {state.failures > 0 ? `; ${state.failures} failed attempts so far` : ''}
      </p>
    </div>
  );
}
