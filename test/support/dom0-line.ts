import { readFileSync } from 'node:fs';
import { dom0LineOfConfig } from '../../services/host/boot-config.ts';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';
import type { World } from './world.ts';

/** The dom0 line of the simulated host's next boot, as its grub.cfg's default entry holds it. */
export function nextDom0Line(world: World): string {
  return dom0LineOfConfig(readFileSync(simulatedHostFiles(world.config.dataDir).bootConfig, 'utf8')) ?? '';
}

/**
 * Pads the next boot's dom0 line (with a parameter of its own, through
 * xen-cmdline) so that it is `length` characters long.
 */
export function padDom0Line(world: World, length: number): void {
  world.xenCmdlineByHand('--delete-dom0', 'pad');
  const short = nextDom0Line(world).length + ' pad='.length;
  world.xenCmdlineByHand('--set-dom0', `pad=${'x'.repeat(length - short)}`);
}
