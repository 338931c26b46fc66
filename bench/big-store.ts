import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { Projector } from '../services/projector.ts';
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
const PAGE = 10_000;

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
  await stopService(await startService(env));
  const fromCheckpoint = await startService(env);
  const history = await historyLatencies(fromCheckpoint, devices[7]!);
  await stopService(fromCheckpoint);

  rmSync(join(dataDir, 'projections.checkpoint.json'));
  const cold = await startService(env);
  await historyLatencies(cold, devices[9]!);
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
      figure: `${Math.round(fromCheckpoint.startMs)} ms`,
      baseline: 'through the checkpoint, process spawn included',
      value: fromCheckpoint.startMs / 1000,
      goal: { op: '<=', target: 1, unit: ' s' },
    },
    {
      name: '5. history of one device, p99',
      figure: `p50 ${history.p50.toFixed(2)} ms`,
      baseline: `${history.count} sequential requests over HTTP`,
      value: history.p99,
      goal: { op: '<=', target: 5, unit: ' ms' },
    },
    {
      name: '6. peak memory, 1M events',
      figure: `${peak.toFixed(0)} MB`,
      baseline: 'start without checkpoint (a full catch-up), then 1,000 history reads',
      value: peak,
      goal: { op: '<=', target: 200, unit: ' MB' },
    },
  ];
}

/** Plain node:http on one kept-alive socket: fetch's own allocations would show in the tail. */
function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function historyLatencies(service: Service, id: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const started = performance.now();
    const status = await get(`${service.url}/v1/pcis/${id}/history?after=${i * 10}&limit=100`, agent);
    if (status !== 200) throw new Error(`history: HTTP ${status}`);
    samples.push(performance.now() - started);
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { p50: at(0.5), p99: at(0.99), count: samples.length };
}
