import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, readToEnd, type Api } from './api.ts';
import type { FeedEntry, HostView, NextBootView, PciRecord } from './api-types.ts';
import { followEventStream, type Connection } from './event-stream.ts';
import { LiveEvents } from './live-events.ts';

export interface HostData {
  readonly host: HostView | null;
  readonly pcis: readonly PciRecord[] | null;
  /** The preflight of the next boot, read with the host. */
  readonly nextBoot: NextBootView | null;
  /** When passthru first saw the running boot, from its BootObserved event. */
  readonly bootSeenAt: string | null;
  readonly loadError: string | null;
  readonly connection: Connection;
  readonly live: LiveEvents;
  readonly refresh: () => void;
  readonly retryNow: () => void;
}

// Events come in bursts (a batch, a reboot): one read of the records follows a burst.
const COALESCE_MS = 40;

/** The host and its devices, read again whenever the event stream says something changed. */
export function useHostData(api: Api): HostData {
  const [host, setHost] = useState<HostView | null>(null);
  const [pcis, setPcis] = useState<readonly PciRecord[] | null>(null);
  const [nextBoot, setNextBoot] = useState<NextBootView | null>(null);
  const [bootSeenAt, setBootSeenAt] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const live = useMemo(() => new LiveEvents(), []);
  const control = useRef({ retryNow: () => undefined as void });
  const reads = useRef({ asked: 0, timer: 0 });

  const load = async () => {
    const ask = ++reads.current.asked;
    try {
      const [nextHost, nextPcis, verdict] = await Promise.all([
        api.get<HostView>('/v1/host'),
        api.get<PciRecord[]>('/v1/pcis'),
        api.get<NextBootView>('/v1/host/next-boot'),
      ]);
      // Only the newest read is shown, so a slow answer never overwrites a fresher one.
      if (ask !== reads.current.asked) return;
      setHost(nextHost);
      setPcis(nextPcis);
      setNextBoot(verdict);
      setLoadError(null);
    } catch (error) {
      if (ask === reads.current.asked && !(error instanceof ApiError && error.status === 401)) {
        setLoadError((error as Error).message);
      }
    }
  };
  const refresh = () => {
    clearTimeout(reads.current.timer);
    reads.current.timer = window.setTimeout(load, COALESCE_MS);
  };

  useEffect(() => {
    void load();
    const stream = followEventStream(api, {
      onOpen: refresh,
      onConnection: setConnection,
      onEvent: (entry: FeedEntry) => {
        refresh();
        live.emit(entry);
      },
    });
    control.current.retryNow = stream.retryNow;
    const online = () => stream.retryNow();
    window.addEventListener('online', online);
    return () => {
      stream.stop();
      window.removeEventListener('online', online);
      clearTimeout(reads.current.timer);
    };
  }, [api]);

  const hostId = host?.host_id;
  const bootId = host?.boot_id;
  useEffect(() => {
    if (!hostId || !bootId) return;
    const query = `type=BootObserved&host=${encodeURIComponent(hostId)}&limit=1000`;
    readToEnd<FeedEntry>(api, (after) => `/v1/events?${query}${after === null ? '' : `&after=${after}`}`)
      .then((boots) => {
        const seen = boots.filter((e) => (e.data as { boot_id?: unknown }).boot_id === bootId).pop();
        setBootSeenAt(seen?.at ?? null);
      })
      .catch(() => setBootSeenAt(null));
  }, [api, hostId, bootId]);

  return {
    host,
    pcis,
    nextBoot,
    bootSeenAt,
    loadError,
    connection,
    live,
    refresh,
    retryNow: () => control.current.retryNow(),
  };
}
