import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { Projector } from '../services/read/projector.ts';
import { SqliteEventStore } from '../services/store/sqlite-store.ts';
import {
  HOST_ID,
  makeStore,
  makeSysfs,
  peakRssMb,
  startService,
  stopService,
  TOKEN,
  type Service,
} from './fixtures.ts';
import type { Result } from './result.ts';

const EVENTS = 1_000_000;
const SMALL_EVENTS = 1_000;
const PAGE = 10_000;
// Starts of each kind, alternated, so both sides of the ratio share the machine's mood; the median is kept.
const STARTS = 5;
const HISTORY_READS = 1000;
const HISTORY_PAGE = 100;

/** Benchmarks 3 to 6, over one store of a million events. */
export async function bigStore(dir: string, log: (line: string) => void): Promise<Result[]> {
  const dataDir = join(dir, 'var');
  const sysfs = join(dir, 'sysfs');
  const devices = makeSysfs(sysfs, 64);
  const path = join(dataDir, 'events.db');
  mkdirSync(dataDir, { recursive: true });
  let started = performance.now();
  await makeStore(path, devices, EVENTS);
  log(`  made ${EVENTS} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const store = new SqliteEventStore(path);
  started = performance.now();
  for (let after = 0; ;) {
    const events = await store.readAll({ after, limit: PAGE });
    if (events.length === 0) break;
    after = events[events.length - 1]!.position;
  }
  const readMs = performance.now() - started;
  const projector = new Projector(
    store,
    HOST_ID,
    join(dataDir, 'projections.checkpoint.json'),
    pino({ level: 'silent' }),
  );
  started = performance.now();
  await projector.rebuild();
  const rebuildMs = performance.now() - started;
  await store.close();

  const env = { PASSTHRU_DATA_DIR: dataDir, PASSTHRU_SYSFS_PCI: sysfs };
  // The first start writes the checkpoint every later one starts from.
  await stopService(await startService(env));
  // The empty store's first start too is done before: it holds only the discovery of the devices, so the
  // two sides differ in the million events alone, not in first-start work.
  const emptyEnv = { PASSTHRU_DATA_DIR: join(dir, 'empty'), PASSTHRU_SYSFS_PCI: sysfs };
  await stopService(await startService(emptyEnv));
  const bigStarts: number[] = [];
  const emptyStarts: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const big = await startService(env);
    bigStarts.push(big.startMs);
    await stopService(big);
    const empty = await startService(emptyEnv);
    emptyStarts.push(empty.startMs);
    await stopService(empty);
  }
  const startBig = median(bigStarts);
  const startEmpty = median(emptyStarts);

  // Both stores served at once and read in turn, so a burst of noise falls on both sides alike.
  const smallDir = join(dir, 'small');
  mkdirSync(smallDir);
  await makeStore(join(smallDir, 'events.db'), devices.slice(0, 2), SMALL_EVENTS);
  const fromCheckpoint = await startService(env);
  const small = await startService({ PASSTHRU_DATA_DIR: smallDir, PASSTHRU_SYSFS_PCI: sysfs });
  const [history, smallHistory] = (await historyLatencies([
    { service: fromCheckpoint, id: devices[7]!, streamLength: Math.floor(EVENTS / devices.length) },
    // The thousand events are on two devices, so their pages are as full as the big store's.
    { service: small, id: devices[1]!, streamLength: SMALL_EVENTS / 2 },
  ])) as [Latencies, Latencies];
  await stopService(fromCheckpoint);
  await stopService(small);

  rmSync(join(dataDir, 'projections.checkpoint.json'));
  const cold = await startService(env);
  await historyLatencies([{ service: cold, id: devices[9]!, streamLength: Math.floor(EVENTS / devices.length) }]);
  const peak = peakRssMb(cold.child.pid!, (p) => readFileSync(p, 'utf8'));
  await stopService(cold);

  return [
    {
      name: '3. projection rebuild, 1M events',
      figure: `${(rebuildMs / 1000).toFixed(2)} s`,
      baseline: `${(readMs / 1000).toFixed(2)} s reading and parsing the rows`,
      value: readMs / rebuildMs,
      goal: { op: '>=', target: 0.5, unit: 'x' },
    },
    {
      name: '4. start to healthy, 1M events stored',
      figure: `${Math.round(startBig)} ms`,
      baseline: `${Math.round(startEmpty)} ms with an empty store (its devices' discovery only)`,
      value: startBig / startEmpty,
      goal: { op: '<=', target: 1.5, unit: 'x' },
      note: `median of ${STARTS} starts each, alternated, process spawn included (1M: ${bigStarts.map(Math.round).join(', ')} ms; empty: ${emptyStarts.map(Math.round).join(', ')} ms)`,
    },
    {
      name: '5. history of one device, p99, 1M events',
      figure: `p99 ${history.p99.toFixed(2)} ms (p50 ${history.p50.toFixed(2)})`,
      baseline: `p99 ${smallHistory.p99.toFixed(2)} ms (p50 ${smallHistory.p50.toFixed(2)}) with 1k events`,
      value: history.p99 / smallHistory.p99,
      goal: { op: '<=', target: 1.5, unit: 'x' },
      note: `${history.count} sequential pages of ${HISTORY_PAGE} events over HTTP a side, spread over the device's stream, the two stores read in turn`,
    },
    {
      name: '6. peak memory, 1M events',
      figure: `${peak.toFixed(0)} MB`,
      baseline: 'start without checkpoint (a full catch-up), then 1,000 history reads; goal in MB',
      value: peak,
      goal: { op: '<=', target: 200, unit: ' MB' },
    },
  ];
}

/** Plain node:http on one kept-alive socket: fetch's own allocations would show in the tail. */
function get(url: string, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Latencies {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

interface HistoryTarget {
  readonly service: Service;
  readonly id: string;
  readonly streamLength: number;
}

/** Full pages spread over each target's stream, the targets read in turn, each on its own kept-alive socket. */
async function historyLatencies(targets: readonly HistoryTarget[]): Promise<Latencies[]> {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const sides = targets.map((target) => ({
    ...target,
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
    samples: [] as number[],
  }));
  for (let i = 0; i < HISTORY_READS; i++) {
    for (const side of sides) {
      const after = Math.floor((i * (side.streamLength - HISTORY_PAGE)) / HISTORY_READS);
      const url = `${side.service.url}/v1/pcis/${side.id}/history?after=${after}&limit=${HISTORY_PAGE}`;
      const started = performance.now();
      const status = await get(url, side.agent, auth);
      if (status !== 200) throw new Error(`history: HTTP ${status}`);
      side.samples.push(performance.now() - started);
    }
  }
  return sides.map(({ agent, samples }) => {
    agent.destroy();
    samples.sort((a, b) => a - b);
    const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
    return { p50: at(0.5), p99: at(0.99), count: samples.length };
  });
}
