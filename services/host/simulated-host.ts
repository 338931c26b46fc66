import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const STAND_IN = fileURLToPath(new URL('./simulated/xen-cmdline.js', import.meta.url));
const FIRST_CMDLINE = 'root=LABEL=simulated-root ro console=hvc0 quiet\n';

export interface SimulatedHostFiles {
  readonly dir: string;
  /** What xen-cmdline edits: the dom0 command line of the next boot. */
  readonly nextBootCmdline: string;
  readonly procCmdline: string;
  readonly bootId: string;
  /** A xen-cmdline bound to this host, to run by hand like the real one. */
  readonly xenCmdline: string;
}

export function simulatedHostFiles(dataDir: string): SimulatedHostFiles {
  const dir = join(dataDir, 'host');
  return {
    dir,
    nextBootCmdline: join(dir, 'next-boot-cmdline'),
    procCmdline: join(dir, 'proc-cmdline'),
    bootId: join(dir, 'boot_id'),
    xenCmdline: join(dir, 'xen-cmdline'),
  };
}

/** Lays out a simulated dom0 in the data dir, keeping one that is already there. */
export function prepareSimulatedHost(dataDir: string): SimulatedHostFiles {
  const files = simulatedHostFiles(dataDir);
  mkdirSync(files.dir, { recursive: true });
  if (!existsSync(files.nextBootCmdline)) writeAtomically(files.nextBootCmdline, FIRST_CMDLINE);
  if (!existsSync(files.procCmdline)) writeAtomically(files.procCmdline, readFileSync(files.nextBootCmdline, 'utf8'));
  if (!existsSync(files.bootId)) writeAtomically(files.bootId, `${randomUUID()}\n`);
  writeAtomically(
    files.xenCmdline,
    `#!/bin/sh\n# xen-cmdline of the simulated host in this data dir\n` +
      `PASSTHRU_SIMULATED_BOOT_CMDLINE=${shellQuote(files.nextBootCmdline)} exec ${shellQuote(process.execPath)} ${shellQuote(STAND_IN)} "$@"\n`,
  );
  chmodSync(files.xenCmdline, 0o755);
  return files;
}

/** A reboot: the next boot's command line becomes the running one, under a new boot id. */
export function rebootSimulatedHost(dataDir: string): { bootId: string } {
  const files = prepareSimulatedHost(dataDir);
  const bootId = randomUUID();
  writeAtomically(files.procCmdline, readFileSync(files.nextBootCmdline, 'utf8'));
  writeAtomically(files.bootId, `${bootId}\n`);
  return { bootId };
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
