import { useEffect, useState } from 'preact/hooks';
import { EVENT_TYPES } from '../../domain/events.ts';
import { readNewest, type Api } from './api.ts';
import type { FeedEntry } from './api-types.ts';
import type { LiveEvents } from './live-events.ts';
import { ChoiceField } from './choice-field.tsx';
import { EventItem } from './timeline.tsx';
import { EVENT_WORDS } from './words.ts';

const SHOWN = 100;

const hostOf = (entry: FeedEntry) => (typeof entry.metadata.host === 'string' ? entry.metadata.host : null);

/** The global audit feed, newest first, filtered by type and host on the service and live from the stream. */
interface Props {
  readonly api: Api;
  readonly live: LiveEvents;
  readonly hostId: string;
  /** A store position the host's views had reached: the feed is read from a window before it. */
  readonly head: number;
}

export function Feed({ api, live, hostId, head: headAtLoad }: Props) {
  // Reads go to the end from a window before it, so a head read once stays good: later events are read too.
  const [head] = useState(headAtLoad);
  const [type, setType] = useState('');
  const [host, setHost] = useState('');
  const [entries, setEntries] = useState<readonly FeedEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hosts, setHosts] = useState<ReadonlySet<string>>(new Set([hostId]));

  useEffect(() => {
    const matches = (e: FeedEntry) => (type === '' || e.type === type) && (host === '' || hostOf(e) === host);
    const query = `limit=1000${type ? `&type=${type}` : ''}${host ? `&host=${encodeURIComponent(host)}` : ''}`;
    const add = (found: readonly FeedEntry[]) => {
      setHosts((known) => {
        const more = found.map(hostOf).filter((h): h is string => h !== null && !known.has(h));
        return more.length === 0 ? known : new Set([...known, ...more]);
      });
      setEntries((shown) => {
        const byPosition = new Map([...(shown ?? []), ...found.filter(matches)].map((e) => [e.position, e]));
        return [...byPosition.values()].sort((a, b) => b.position - a.position).slice(0, SHOWN);
      });
    };
    setEntries(null);
    const stop = live.listen((entry) => add([entry]));
    readNewest<FeedEntry>(api, query, head, SHOWN).then(
      (loaded) => (add(loaded), setError(null)),
      (failure: Error) => setError(failure.message),
    );
    return stop;
  }, [api, live, type, host]);

  return (
    <section class="feed card" aria-labelledby="feed-title">
      <h2 id="feed-title">Activity</h2>
      <div class="toolbar">
        <ChoiceField
          label="Type"
          all="All events"
          value={type}
          choices={EVENT_TYPES}
          onChange={setType}
          nameOf={(t) => EVENT_WORDS[t as keyof typeof EVENT_WORDS]}
        />
        <ChoiceField
          label="Host"
          all="All hosts"
          value={host}
          choices={[...hosts].sort()}
          onChange={setHost}
          nameOf={(h) => (h === hostId ? `${h} (this host)` : h)}
        />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {entries === null ? (
        <p class="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="muted">No event matches.</p>
      ) : (
        <ol class="timeline" aria-label="Events, newest first" tabIndex={0}>
          {entries.map((entry) => (
            <EventItem key={entry.position} entry={entry} showDevice />
          ))}
        </ol>
      )}
    </section>
  );
}
