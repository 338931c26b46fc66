import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from './cli-run.ts';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { startService, stopService, type ServiceProcess } from './service-process.ts';

/** A service over a fake host, and the real CLI pointed at it. */
export interface CliHost {
  readonly sys: KernelSysfs;
  readonly service: ServiceProcess;
  /** The CLI with these settings changed from the service's. */
  run(env: Record<string, string>, ...args: string[]): Promise<CliRun>;
  passthru(...args: string[]): Promise<CliRun>;
}

/** `passthru serve` over `sys`, its data dir inside it, named `name` (its token and host id), with `env` besides. */
export async function startCliHost(sys: KernelSysfs, name: string, env: Record<string, string> = {}): Promise<CliHost> {
  const settings = {
    ...sys.env,
    PASSTHRU_DATA_DIR: join(sys.root, 'var'),
    PASSTHRU_TOKEN: `${name}-token`,
    PASSTHRU_HOST_ID: `${name}-host`,
    ...env,
  };
  const service = await startService(settings);
  const port = new URL(service.url).port;
  const run = (changed: Record<string, string>, ...args: string[]) =>
    runCli(args, {
      env: { ...process.env, ...settings, PASSTHRU_PORT: port, PASSTHRU_HOST_MODE: 'simulated', ...changed },
    });
  return { sys, service, run, passthru: (...args) => run({}, ...args) };
}

export async function stopCliHost({ service, sys }: Pick<CliHost, 'service' | 'sys'>): Promise<void> {
  await stopService(service);
  rmSync(sys.root, { recursive: true, force: true });
}
