import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { makeSysfs, startService, stopService, TOKEN } from './fixtures.ts';
import type { Result } from './result.ts';
import { roundsNote, statusReadRounds } from './status-reads.ts';
import type { FromWorker, ToWorker, WatcherWork } from './watcher-worker.ts';

const WATCHERS = 1_000;
const CHANGES = 10;
// Long enough for every long poll to be back at the service, waiting, before the next change.
const SETTLE_MS = 300;
const DELIVERY_DEADLINE_MS = 30_000;

const agent = new Agent({ keepAlive: true });
const auth = { authorization: `Bearer ${TOKEN}` };

function post(url: string, body: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...auth, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A thread of watchers of one kind. */
class Watchers {
  private constructor(
    private readonly worker: Worker,
    readonly count: number,
  ) {}

  static async start(work: WatcherWork): Promise<Watchers> {
    // A worker thread does not inherit the runner's TypeScript loader: it registers it, then loads the watchers.
    const entry = new URL('./watcher-worker.ts', import.meta.url).href;
    const worker = new Worker(
      `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`,
      { eval: true, workerData: work },
    );
    const [ready] = (await once(worker, 'message')) as [FromWorker];
    if (ready.type !== 'ready') throw new Error(`a watcher thread said ${ready.type} first`);
    return new Watchers(worker, work.count);
  }

  /** Resolves with each watcher's delivery time of the next change. */
  expect(): Promise<number[]> {
    const times: number[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.worker.off('message', take);
        reject(new Error(`${this.count - times.length} watchers never got the change`));
      }, DELIVERY_DEADLINE_MS);
      const take = (message: FromWorker) => {
        if (message.type !== 'delivered') return;
        times.push(message.ms);
        if (times.length === this.count) {
          clearTimeout(timer);
          this.worker.off('message', take);
          resolve(times);
        }
      };
      this.worker.on('message', take);
      this.send({ type: 'expect' });
    });
  }

  async armed(): Promise<boolean> {
    const answer = once(this.worker, 'message') as Promise<[FromWorker]>;
    this.send({ type: 'armed?' });
    const [message] = await answer;
    return message.type === 'armed' && message.all;
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await once(this.worker, 'exit');
  }

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}

/** Half long polls, half streams, each half on a thread of its own. */
async function connect(url: string, count: number): Promise<Watchers[]> {
  const rpc = (method: string, params: unknown[]) => post(`${url}/jsonrpc`, { jsonrpc: '2.0', method, params, id: 1 });
  const session = (await rpc('session.login_with_password', ['root', TOKEN, '2.21', 'bench'])).result as string;
  const token = (await rpc('event.from', [session, ['pci', 'pgpu'], '', 0])).result.token as string;
  const half = (kind: WatcherWork['kind'], n: number) => Watchers.start({ kind, url, count: n, session, token });
  return Promise.all([half('event.from', Math.ceil(count / 2)), half('sse', Math.floor(count / 2))]);
}

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

/**
 * Changes one device back and forth; each time, how long it took from the
 * event's store time (the wall clock, to the millisecond, shared with the
 * service) to each watcher.
 */
async function deliveries(url: string, watchers: Watchers[], device: string): Promise<number[]> {
  const times: number[] = [];
  for (let change = 0; change < CHANGES; change++) {
    const until = Date.now() + DELIVERY_DEADLINE_MS;
    while (!(await Promise.all(watchers.map((w) => w.armed()))).every(Boolean)) {
      if (Date.now() > until) throw new Error('watchers did not come back to wait');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const all = Promise.all(watchers.map((w) => w.expect()));
    await post(`${url}/v1/pcis/${device}/${change % 2 === 0 ? 'hide' : 'unhide'}`, {});
    times.push(...(await all).flat());
  }
  return times;
}
/**
 * 1,000 watchers at once, half XAPI event.from long polls, half SSE streams:
 * one change must reach each. The baseline is the same change reaching one
 * watcher of each kind, in the same run; and status reads must keep their
 * pace with all those watchers connected.
 */
export async function watchers(dir: string): Promise<Result[]> {
  const ids = makeSysfs(join(dir, 'sysfs'), 64);
  const dataDir = join(dir, 'var');
  const service = await startService({ PASSTHRU_DATA_DIR: dataDir, PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  try {
    const few = await connect(service.url, 2);
    const baseline = p99(await deliveries(service.url, few, ids[0]!));
    await Promise.all(few.map((w) => w.stop()));
    const many = await connect(service.url, WATCHERS);
    const delivered = p99(await deliveries(service.url, many, ids[0]!));
    const reads = await statusReadRounds(service.url, dataDir, ids);
    await Promise.all(many.map((w) => w.stop()));
    return [
      {
        name: `9. one change to ${WATCHERS.toLocaleString('en')} watchers, p99 delivery`,
        figure: `${delivered.toFixed(1)} ms`,
        baseline: `${baseline.toFixed(1)} ms to 1 long poll and 1 stream`,
        value: delivered / baseline,
        goal: { op: '<=', target: 3, unit: 'x' },
        note: `p99 ${delivered.toFixed(1)} ms from the event's store time to a watcher, ${WATCHERS} watchers (issue 9: under 100 ms), over ${CHANGES} changes`,
      },
      {
        name: `10. status reads, 50 connections, ${WATCHERS.toLocaleString('en')} watchers connected`,
        figure: `${Math.round(reads.passthru)} req/s`,
        baseline: `${Math.round(reads.bare)} req/s bare fastify`,
        value: reads.live ? reads.ratio : 0,
        goal: { op: '>=', target: 0.45, unit: 'x' },
        note: roundsNote(reads),
      },
    ];
  } finally {
    agent.destroy();
    await stopService(service);
  }
}
