import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from './cli-run.ts';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { safetyHost, SPARE_NIC } from './safety-host.ts';
import { startService, stopService, type ServiceProcess } from './service-process.ts';
import { XcpNgTwin } from './xcp-ng-twin.ts';
import { WITH_IOMMU } from './xl-world.ts';

/** A running service on the default host, igb bound to the spare NIC, on the twin of an XCP-ng host (xl, xenstore, the kernel's sysfs). */
export interface CliXlHost {
  readonly sys: KernelSysfs;
  readonly xl: XcpNgTwin;
  readonly service: ServiceProcess;
  /** The real CLI against that service. */
  readonly passthru: (...args: string[]) => Promise<CliRun>;
}

export async function startCliXlHost(name: string): Promise<CliXlHost> {
  const sys = safetyHost().bind(SPARE_NIC, 'igb');
  const dataDir = join(sys.root, 'var');
  const xl = new XcpNgTwin(join(sys.root, 'twin'), WITH_IOMMU, {
    sysfs: sys.root,
    dataDir,
    drivers: { [SPARE_NIC]: 'igb' },
  });
  const env = {
    ...sys.env,
    PASSTHRU_DATA_DIR: dataDir,
    PASSTHRU_TOKEN: `${name}-token`,
    PASSTHRU_HOST_ID: `${name}-host`,
    ...xl.env,
  };
  const service = await startService(env);
  const port = new URL(service.url).port;
  const passthru = (...args: string[]) =>
    runCli(args, { env: { ...process.env, ...env, PASSTHRU_PORT: port, PASSTHRU_HOST_MODE: 'simulated' } });
  return { sys, xl, service, passthru };
}

export async function stopCliXlHost({ service, sys }: CliXlHost): Promise<void> {
  await stopService(service);
  rmSync(sys.root, { recursive: true, force: true });
}
