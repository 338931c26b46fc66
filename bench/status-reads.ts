import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, makeSysfs, startService, stopService } from './fixtures.ts';
import type { Result } from './result.ts';

const CONNECTIONS = 50;
const SECONDS = 8;

async function load(url: string): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** A fastify with one constant route: the most a route of this shape can do here. */
async function bareRate(): Promise<number> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'bare-server.ts'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  try {
    return await load(`http://127.0.0.1:${port}/v1/pcis/0000:10:00.0/dom0-access`);
  } finally {
    child.kill('SIGTERM');
  }
}

export async function statusReads(dir: string): Promise<Result> {
  const ids = makeSysfs(join(dir, 'sysfs'), 64);
  const dataDir = join(dir, 'var');
  const service = await startService({ PASSTHRU_DATA_DIR: dataDir, PASSTHRU_SYSFS_PCI: join(dir, 'sysfs') });
  const target = ids[5]!;
  try {
    const bare = await bareRate();
    const liveChecks: boolean[] = [];
    const byHand = async (list: string, expected: string) => {
      execFileSync(join(dataDir, 'host', 'xen-cmdline'), ['--set-dom0', `xen-pciback.hide=${list}`]);
      const body = (await (await fetch(`${service.url}/v1/pcis/${target}/dom0-access`)).json()) as { status: string };
      liveChecks.push(body.status === expected);
    };
    const loaded = load(`${service.url}/v1/pcis/${target}/dom0-access`);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, (SECONDS * 1000) / 4));
      await byHand(i % 2 === 0 ? `(${target})` : `(${ids[6]})`, i % 2 === 0 ? 'disabled_on_reboot' : 'enabled');
    }
    const passthru = await loaded;
    const live = liveChecks.every(Boolean);
    return {
      name: '1. status reads, 50 connections',
      figure: `${Math.round(passthru)} req/s`,
      baseline: `${Math.round(bare)} req/s bare fastify`,
      value: live ? passthru / bare : 0,
      goal: { op: '>=', target: 0.5, unit: 'x' },
      note: live
        ? `3 of 3 changes by hand seen by the next read`
        : `a change by hand was NOT seen by the next read: ${liveChecks}`,
    };
  } finally {
    await stopService(service);
  }
}
