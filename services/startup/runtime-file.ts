import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../settings/config.ts';

/** What a listening service says about itself, for a CLI run from anywhere to find it. */
export interface RunningService {
  readonly data_dir: string;
  readonly url: string;
  readonly host_id: string;
  readonly pid: number;
  readonly port: number;
  readonly bind: string;
}

export const runtimeFile = (runtimeDir: string) => join(runtimeDir, 'service.json');

export function writeRuntimeFile(config: Config, service: RunningService): void {
  mkdirSync(config.runtimeDir, { recursive: true, mode: 0o700 });
  const path = runtimeFile(config.runtimeDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(service, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Only this process's own file: a later copy (on another port) may have written its own since. */
export function removeRuntimeFile(config: Config): void {
  if (readRuntimeFile(config.runtimeDir)?.pid === process.pid) rmSync(runtimeFile(config.runtimeDir), { force: true });
}

/** The service the runtime dir names, when its process still runs: a killed service leaves its file behind. */
export function runningService(runtimeDir: string): RunningService | null {
  const service = readRuntimeFile(runtimeDir);
  return service && alive(service.pid) ? service : null;
}

function readRuntimeFile(runtimeDir: string): RunningService | null {
  try {
    const service = JSON.parse(readFileSync(runtimeFile(runtimeDir), 'utf8')) as Partial<RunningService>;
    return typeof service.data_dir === 'string' &&
      typeof service.host_id === 'string' &&
      typeof service.pid === 'number' &&
      typeof service.port === 'number' &&
      typeof service.bind === 'string' &&
      typeof service.url === 'string'
      ? (service as RunningService)
      : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user (root's service, read by an operator).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
