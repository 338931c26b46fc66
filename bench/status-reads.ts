import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { makeSysfs, startBareServer, startService, stopService, TOKEN } from './fixtures.ts';
import type { Result } from './result.ts';

const CONNECTIONS = 50;
const SECONDS = 4;
const ROUNDS = 5;
const AUTH = { authorization: `Bearer ${TOKEN}` };
const run = promisify(execFile);

async function load(url: string): Promise<number> {
  // Both sides get the token: the bare route ignores it, passthru checks it.
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: AUTH });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export interface StatusReadRounds {
  readonly passthru: number;
  readonly bare: number;
  readonly ratios: number[];
  /** The median round's ratio. */
  readonly ratio: number;
  /** Whether every change by hand was seen by the read right after it. */
  readonly live: boolean;
  readonly rounds: number;
  readonly seconds: number;
}

/**
 * Rounds of the bare route then passthru, back to back, so both sides of each
 * ratio share the machine's mood of the moment; the median round is reported.
 * In each passthru round the boot configuration is edited by hand and read
 * right after: `live` is false unless every such read sees the edit.
 * The service runs as `npm start` runs it (default log level and format, its
 * standard output a pipe the benchmark drains, as a journal would).
 */
export async function statusReadRounds(
  serviceUrl: string,
  dataDir: string,
  ids: readonly string[],
): Promise<StatusReadRounds> {
  // A fastify with one constant route: the most a route of this shape can do here.
  const bare = await startBareServer('bare-server.ts');
  const target = ids[5]!;
  const path = `/v1/pcis/${target}/dom0-access`;
  try {
    const rounds: { bare: number; passthru: number; live: boolean }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bareRate = await load(`${bare.url}${path}`);
      const loaded = load(`${serviceUrl}${path}`);
      await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 2));
      const hidden = round % 2 === 0;
      await run(join(dataDir, 'host', 'xen-cmdline'), ['--set-dom0', `xen-pciback.hide=(${hidden ? target : ids[6]})`]);
      const seen = ((await (await fetch(`${serviceUrl}${path}`, { headers: AUTH })).json()) as { status: string })
        .status;
      rounds.push({
        bare: bareRate,
        passthru: await loaded,
        live: seen === (hidden ? 'disabled_on_reboot' : 'enabled'),
      });
    }
    return {
      passthru: median(rounds.map((r) => r.passthru)),
      bare: median(rounds.map((r) => r.bare)),
      ratios: rounds.map((r) => r.passthru / r.bare),
      ratio: median(rounds.map((r) => r.passthru / r.bare)),
      live: rounds.every((r) => r.live),
      rounds: ROUNDS,
      seconds: SECONDS,
    };
  } finally {
    bare.stop();
  }
}

/** The rounds' note: what was measured, and whether the changes by hand were seen. */
export function roundsNote(measured: StatusReadRounds): string {
  const { rounds, seconds, ratios, live } = measured;
  return `${rounds} rounds of ${seconds} s a side, ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}; ${
    live
      ? `${rounds} of ${rounds} changes by hand seen by the next read`
      : 'a change by hand was NOT seen by the next read'
  }`;
}

export async function statusReads(dir: string): Promise<Result> {
  const ids = makeSysfs(join(dir, 'sysfs'), 64);
  const dataDir = join(dir, 'var');
  const service = await startService({ PASSTHRU_DATA_DIR: dataDir, PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  try {
    const logLinesBefore = service.stdout().split('\n').length;
    const measured = await statusReadRounds(service.url, dataDir, ids);
    const logLines = service.stdout().split('\n').length - logLinesBefore;
    return {
      name: '1. status reads, 50 connections',
      figure: `${Math.round(measured.passthru)} req/s`,
      baseline: `${Math.round(measured.bare)} req/s bare fastify`,
      value: measured.live ? measured.ratio : 0,
      goal: { op: '>=', target: 0.6, unit: 'x' },
      note: `as shipped (log level info, JSON to a drained pipe, the bearer token on every read; ${logLines} log lines written during the reads); ${roundsNote(measured)}`,
    };
  } finally {
    await stopService(service);
  }
}
