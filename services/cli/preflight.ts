import type { NextBootVerdict } from '../../domain/next-boot.ts';
import type { Config } from '../settings/config.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';

/** The running service's preflight: the recorded hardware of each hidden device is in its store. */
export async function readPreflight(config: Config): Promise<NextBootVerdict> {
  return (await callService(config, 'GET', '/v1/host/next-boot')) as NextBootVerdict;
}

/** The verdict in lines: whether the next boot is safe, the room left on the dom0 line, then each problem. */
export function preflightLines(verdict: NextBootVerdict): string[] {
  const room =
    verdict.dom0_line_length === null
      ? 'The dom0 line is unknown: no boot configuration file is known (PASSTHRU_BOOT_CONFIG)'
      : `The dom0 line is ${verdict.dom0_line_length} of ${verdict.limit} characters`;
  return [
    verdict.ok
      ? 'Next boot: ok, it comes back and hides what its list says'
      : 'Next boot: NOT SAFE, fix this before you reboot:',
    ...verdict.problems.map((p) => `  ${p.code}: ${p.detail}`),
    room,
  ];
}

/** `passthru preflight`: exits 0 when the next boot is safe, 1 when not, so a script can gate a reboot on it. */
export async function preflightCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const verdict = await readPreflight(config);
  if (flags.json) out(JSON.stringify(verdict, null, 2));
  else for (const line of preflightLines(verdict)) out(line);
  return verdict.ok ? 0 : 1;
}
