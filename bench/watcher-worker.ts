import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { TOKEN } from './fixtures.ts';

/**
 * Watchers of one kind on a thread of their own, so that the time one kind
 * takes to handle its answers is never counted against the other.
 */
export interface WatcherWork {
  readonly kind: 'event.from' | 'sse';
  readonly url: string;
  readonly count: number;
  readonly session: string;
  readonly token: string;
}

/** From the main thread: time the next change, or say whether every watcher waits again. */
export type ToWorker = { readonly type: 'expect' } | { readonly type: 'armed?' } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'delivered'; readonly ms: readonly number[] }
  | { readonly type: 'armed'; readonly all: boolean };

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const auth = { authorization: `Bearer ${TOKEN}` };

/** A POST that resolves with the time its answer began to arrive, and the answer once whole. */
function post(url: string, body: unknown): Promise<{ at: number; answer: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...auth, 'content-type': 'application/json' } },
      (res) => {
        const at = Date.now();
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ at, answer: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A watcher: it calls `delivered` with how long the change took to reach it since it was stored. */
interface Watcher {
  delivered?: (ms: number) => void;
  readonly armed: boolean;
  stop(): void;
}

/** An XAPI client's event loop: event.from again with the new token as soon as an answer comes. */
function longPoll(url: string, session: string, token: string): Watcher {
  let stopped = false;
  const watcher: Watcher & { armed: boolean } = {
    armed: false,
    stop: () => (stopped = true),
  };
  void (async () => {
    while (!stopped) {
      watcher.armed = true;
      const answered = await post(`${url}/jsonrpc`, {
        jsonrpc: '2.0',
        method: 'event.from',
        params: [session, ['pci', 'pgpu'], token, 60.1],
        id: 1,
      }).catch(() => null);
      watcher.armed = false;
      if (!answered?.answer.result) break;
      const { at, answer } = answered;
      token = answer.result.token;
      const [first] = answer.result.events;
      if (first) watcher.delivered?.(at - Number(first.timestamp) * 1000);
      // Every answer that has arrived is timed before any watcher asks again.
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return watcher;
}

const STORED_AT = /"stored_at":"([^"]+)"/;

/** A `curl -N` of the stream: a change has arrived when a message (not a comment) does. */
function sse(url: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const watcher: Watcher = { armed: true, stop: () => req.destroy() };
    const req = request(`${url}/v1/events/stream`, { agent, headers: auth }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const stored = STORED_AT.exec(chunk)?.[1];
        if (stored) watcher.delivered?.(Date.now() - Date.parse(stored));
      });
      resolve(watcher);
    });
    req.on('error', reject);
    req.end();
  });
}

const work = workerData as WatcherWork;
const send = (message: FromWorker) => parentPort!.postMessage(message);
const watchers =
  work.kind === 'event.from'
    ? Array.from({ length: work.count }, () => longPoll(work.url, work.session, work.token))
    : await Promise.all(Array.from({ length: work.count }, () => sse(work.url)));
parentPort!.on('message', (message: ToWorker) => {
  if (message.type === 'expect') {
    // One message once every watcher has the change: the main thread's work is not in the way of the last ones.
    const times: number[] = [];
    for (const watcher of watchers) {
      watcher.delivered = (ms) => {
        watcher.delivered = undefined;
        times.push(ms);
        if (times.length === watchers.length) send({ type: 'delivered', ms: times });
      };
    }
  } else if (message.type === 'armed?') send({ type: 'armed', all: watchers.every((w) => w.armed) });
  else {
    watchers.forEach((w) => w.stop());
    agent.destroy();
    parentPort!.close();
  }
});
send({ type: 'ready' });
