import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { GPU, GPU_AUDIO, safetyHost, SPARE_NIC } from './safety-host.ts';
import { World } from './world.ts';
import { WITH_IOMMU, XlStandIn } from './xl-standin.ts';

export interface XlWorld {
  readonly world: World;
  readonly sys: KernelSysfs;
  readonly xl: XlStandIn;
  readonly env: Record<string, string>;
}

/**
 * The default host with dom0's drivers bound to the GPU, its audio function
 * and the spare NIC, and an xl stand-in with the IOMMU on, served by a world
 * of its own. With `handsOver`, xl also keeps the host's lists and rebinds the
 * drivers as real xl does; without, it only answers `xl info`.
 */
export async function startXlWorld(options: { handsOver?: boolean } = {}): Promise<XlWorld> {
  const sys = safetyHost().bind(GPU, 'nouveau').bind(GPU_AUDIO, 'snd_hda_intel').bind(SPARE_NIC, 'igb');
  const xl = new XlStandIn(sys.root, WITH_IOMMU, options.handsOver ? sys.root : undefined);
  const env = { ...sys.env, PASSTHRU_DATA_DIR: join(sys.root, 'var'), PASSTHRU_XL: xl.program };
  return { sys, xl, env, world: await World.start([], env) };
}

export async function closeXlWorld({ world, sys }: XlWorld): Promise<void> {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
}
