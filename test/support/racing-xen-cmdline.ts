import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A xen-cmdline for a World that lets another writer in: armed, the next
 * `--get-dom0` answers as the simulated host's xen-cmdline does, then adds
 * `entry` to xen-pciback.hide itself, as xapi's `PCI.disable_dom0_access`
 * would between passthru's read and its write.
 */
export interface RacingXenCmdline {
  /** The World's environment: its data dir, and this xen-cmdline. */
  readonly env: Record<string, string>;
  readonly dir: string;
  arm(): void;
}

export function racingXenCmdline(entry: string): RacingXenCmdline {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-race-'));
  const real = join(dir, 'var', 'host', 'xen-cmdline');
  const armed = join(dir, 'armed');
  const program = join(dir, 'xen-cmdline');
  writeFileSync(
    program,
    `#!/bin/sh\n"${real}" "$@" || exit $?\n` +
      `if [ "$1" = "--get-dom0" ] && [ -e "${armed}" ]; then\n` +
      `  rm -f "${armed}"\n` +
      `  value=$("${real}" --get-dom0 xen-pciback.hide | sed 's/^xen-pciback.hide=//')\n` +
      `  "${real}" --set-dom0 "xen-pciback.hide=\${value}${entry}"\n` +
      `fi\n`,
  );
  chmodSync(program, 0o755);
  return {
    env: { PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_XEN_CMDLINE: program },
    dir,
    arm: () => writeFileSync(armed, ''),
  };
}
