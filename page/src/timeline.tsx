import type { HistoryEntry } from './api-types.ts';
import { describeEvent } from './describe-event.ts';
import { StatusBadge } from './status-badge.tsx';
import { formatTime } from './words.ts';

interface EntryProps {
  readonly entry: HistoryEntry;
  /** Whether the device's line shows its address (the global feed) or not (one device's timeline). */
  readonly showDevice?: boolean;
  readonly current?: boolean;
}

/** One event: what happened and why, who did it, when, and the status it left. */
export function EventItem({ entry, showDevice = false, current = false }: EntryProps) {
  const words = describeEvent(entry);
  const host = typeof entry.metadata.host === 'string' ? entry.metadata.host : null;
  return (
    <li class={`event${current ? ' current' : ''}`} aria-current={current ? 'true' : undefined} data-type={entry.type}>
      <div class="event-head">
        <strong>{words.title}</strong>
        <span class={`cause cause-${words.cause.replace(/ /g, '-')}`}>{words.cause}</span>
        {words.status && <StatusBadge status={words.status} />}
      </div>
      <div class="event-meta small">
        <time dateTime={entry.at}>{formatTime(entry.at)}</time>
        {showDevice && words.pci && <span class="mono"> · {words.pci}</span>}
        {showDevice && host && <span> · host {host}</span>}
        {words.actor && <span> · by {words.actor}</span>}
        {!showDevice && <span class="muted"> · revision {entry.revision}</span>}
      </div>
      {words.protection && <p class="event-protection small">Protected: {words.protection}</p>}
      {words.reason && <p class="event-reason small">“{words.reason}”</p>}
      {words.forced && <p class="event-reason small">Forced: overrode {words.forced}</p>}
    </li>
  );
}

export function Timeline({ events, at }: { readonly events: readonly HistoryEntry[]; readonly at: number | null }) {
  return (
    <ol class="timeline" aria-label="Timeline, newest first">
      {[...events].reverse().map((entry) => (
        <EventItem key={entry.position} entry={entry} current={entry.revision === at} />
      ))}
    </ol>
  );
}
