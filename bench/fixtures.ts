import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PciAddress } from '../domain/pci-address.ts';
import { deviceStream } from '../projections/streams.ts';
import { newEventId } from '../services/write/event-id.ts';
import { SqliteEventStore } from '../services/store/sqlite-store.ts';
import { freePort, startService as startServiceProcess } from '../test/support/service-process.ts';

export { freePort, stopService, type ServiceProcess as Service } from '../test/support/service-process.ts';

export const HOST_ID = 'bench-host';
export const TOKEN = 'bench-token';

export const deviceId = (i: number) =>
  `0000:${(0x10 + Math.floor(i / 32)).toString(16).padStart(2, '0')}:${(i % 32).toString(16).padStart(2, '0')}.0`;

/** A fake sysfs with `count` devices, the first quarter display controllers. */
export function makeSysfs(dir: string, count: number): string[] {
  const ids = Array.from({ length: count }, (_, i) => deviceId(i));
  ids.forEach((id, i) => {
    mkdirSync(join(dir, id), { recursive: true });
    writeFileSync(join(dir, id, 'class'), i < count / 4 ? '0x030000\n' : '0x020000\n');
    writeFileSync(join(dir, id, 'vendor'), '0x10de\n');
    writeFileSync(join(dir, id, 'device'), '0x1db4\n');
  });
  return ids;
}

/**
 * `count` events over the devices' streams, shaped as the service writes
 * them, inserted in large transactions through the adapter's schema.
 */
export async function makeStore(path: string, devices: readonly string[], count: number): Promise<void> {
  await new SqliteEventStore(path).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const revisions = new Map<string, number>();
  const time = new Date('2026-01-01T00:00:00Z');
  const at = time.toISOString();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const pci = devices[i % devices.length]!;
      const revision = (revisions.get(pci) ?? -1) + 1;
      revisions.set(pci, revision);
      const hidden = revision % 2 === 1;
      const type = revision === 0 ? 'DeviceDiscovered' : hidden ? 'Dom0AccessDisabled' : 'Dom0AccessEnabled';
      const data =
        revision === 0
          ? {
              id: pci,
              class_id: '020000',
              class_name: 'Ethernet controller',
              vendor_id: '10de',
              vendor_name: 'NVIDIA',
              device_id: '1db4',
              device_name: 'GV100',
              pci,
              status: 'enabled',
              cause: 'discovery',
            }
          : {
              pci,
              status: hidden ? 'disabled_on_reboot' : 'enabled',
              previous: hidden ? 'enabled' : 'disabled_on_reboot',
              cause: 'command',
              via: 'pci',
            };
      const metadata = { via: 'pci', at, actor: 'bench', correlation_id: randomUUID(), host: HOST_ID };
      insert.run(
        newEventId(time),
        deviceStream(HOST_ID, pci as PciAddress),
        revision,
        type,
        JSON.stringify(data),
        JSON.stringify(metadata),
        at,
      );
    }
  });
  for (let from = 0; from < count; from += 100_000) batch(from, Math.min(count, from + 100_000));
  db.close();
}

/** `passthru serve` with the benchmark's host id and token. */
export const startService = (env: Record<string, string>, args?: readonly string[], command?: readonly string[]) =>
  startServiceProcess({ PASSTHRU_HOST_ID: HOST_ID, PASSTHRU_TOKEN: TOKEN, ...env }, args, command);

/** A bare server of the benchmark's, one of this folder's scripts, on a free port: a baseline. */
export async function startBareServer(
  script: string,
  args: readonly string[] = [],
): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), String(port), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Peak resident memory of a process, in MB, from the kernel's high-water mark. */
export function peakRssMb(pid: number, read: (path: string) => string): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`))?.[1] ?? NaN);
  return kb / 1024;
}

/** How long a task takes, in milliseconds. */
export async function timed(task: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}
