import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dom0LineOfConfig } from '../../services/host/boot-config.ts';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';

/** The dom0 line of the simulated host's next boot, as its grub.cfg's default entry holds it. */
export function nextDom0Line(dataDir: string): string {
  return dom0LineOfConfig(readFileSync(simulatedHostFiles(dataDir).bootConfig, 'utf8')) ?? '';
}

/** Runs the simulated host's xen-cmdline, as a person at the dom0 shell would. */
export function xenCmdline(dataDir: string, ...args: string[]): string {
  return execFileSync(simulatedHostFiles(dataDir).xenCmdline, args, { encoding: 'utf8' });
}

/**
 * Pads the next boot's dom0 line (with a parameter of its own, through
 * xen-cmdline, which appends it last) so that it is `length` characters long.
 */
export function padDom0Line(dataDir: string, length: number): void {
  xenCmdline(dataDir, '--delete-dom0', 'pad');
  const short = nextDom0Line(dataDir).length + ' pad='.length;
  xenCmdline(dataDir, '--set-dom0', `pad=${'x'.repeat(length - short)}`);
}
