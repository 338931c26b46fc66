import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { GPU, GPU_AUDIO, safetyHost, SPARE_NIC } from './safety-host.ts';
import { World } from './world.ts';
import { XcpNgTwin } from './xcp-ng-twin.ts';

export const WITH_IOMMU = 'pv hvm hvm_directio pv_directio hap shadow';
export const WITHOUT_IOMMU = 'pv hvm hap shadow';

export interface XlWorld {
  readonly world: World;
  readonly sys: KernelSysfs;
  readonly xl: XcpNgTwin;
  readonly env: Record<string, string>;
}

/** dom0's drivers of the default host: the GPU, its audio function and the spare NIC each have one. */
export const DOM0_DRIVERS = { [GPU]: 'nouveau', [GPU_AUDIO]: 'snd_hda_intel', [SPARE_NIC]: 'igb' };

/**
 * The default host with dom0's drivers bound to the GPU, its audio function
 * and the spare NIC, on the twin of an XCP-ng host (xl, xenstore and the
 * kernel's side of sysfs), with the IOMMU on, served by a world of its own.
 */
export async function startXlWorld(
  options: { drivers?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<XlWorld> {
  const sys = safetyHost().bind(GPU, 'nouveau').bind(GPU_AUDIO, 'snd_hda_intel').bind(SPARE_NIC, 'igb');
  const dataDir = join(sys.root, 'var');
  const xl = new XcpNgTwin(join(sys.root, 'twin'), WITH_IOMMU, {
    sysfs: sys.root,
    dataDir,
    drivers: options.drivers ?? DOM0_DRIVERS,
  });
  const env = { ...sys.env, PASSTHRU_DATA_DIR: dataDir, ...xl.env, ...options.env };
  return { sys, xl, env, world: await World.start([], env) };
}

export async function closeXlWorld({ world, sys }: XlWorld): Promise<void> {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
}
