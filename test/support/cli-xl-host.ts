import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliRun } from './cli-run.ts';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { safetyHost, SPARE_NIC } from './safety-host.ts';
import { startService, stopService, type ServiceProcess } from './service-process.ts';
import { WITH_IOMMU, XlStandIn } from './xl-standin.ts';

/** A running service on the default host, igb bound to the spare NIC, xl a stand-in that hands devices over. */
export interface CliXlHost {
  readonly sys: KernelSysfs;
  readonly xl: XlStandIn;
  readonly service: ServiceProcess;
  /** The real CLI against that service. */
  readonly passthru: (...args: string[]) => Promise<CliRun>;
}

export async function startCliXlHost(name: string): Promise<CliXlHost> {
  const sys = safetyHost().bind(SPARE_NIC, 'igb');
  const xl = new XlStandIn(sys.root, WITH_IOMMU, sys.root);
  const env = {
    ...sys.env,
    PASSTHRU_DATA_DIR: join(sys.root, 'var'),
    PASSTHRU_TOKEN: `${name}-token`,
    PASSTHRU_HOST_ID: `${name}-host`,
    PASSTHRU_XL: xl.program,
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
