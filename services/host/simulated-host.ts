import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XEN_KEEPS } from '../../domain/dom0-line.ts';
import { XCP_NG_BRAND, dom0LineOfConfig } from './boot-config.ts';

const STAND_IN = fileURLToPath(new URL('./simulated/xen-cmdline.js', import.meta.url));
const FIRST_DOM0_LINE = 'root=LABEL=simulated-root ro console=hvc0 quiet';

/**
 * A BIOS install's grub.cfg as XCP-ng's installer writes it (through xcp.bootloader's writeGrub2): the product's
 * entry, its serial console twin, and a safe mode entry xen-cmdline leaves alone.
 */
function firstGrubConfig(dom0Line: string): string {
  const entry = (title: string, xen: string, dom0: string) =>
    `menuentry '${title}' {\n\tsearch --label --set root simulated-root\n\tmultiboot2 /boot/xen.gz ${xen}\n` +
    `\tmodule2 /boot/vmlinuz-4.19-xen ${dom0}\n\tmodule2 /boot/initrd-4.19-xen.img\n}\n`;
  return (
    `serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\n` +
    `set default=0\nset timeout=5\nif [ -s $prefix/grubenv ]; then\n\tload_env\nfi\n\n` +
    `if [ -n "$override_entry" ]; then\n\tset default=$override_entry\nfi\n\n` +
    entry(XCP_NG_BRAND, 'dom0_mem=2048M,max:2048M watchdog ucode=scan', dom0Line) +
    entry(`${XCP_NG_BRAND} (Serial)`, 'com1=115200,8n1 console=com1,vga dom0_mem=2048M,max:2048M', dom0Line) +
    entry(`${XCP_NG_BRAND} in Safe Mode`, 'nosmp noreboot noirqbalance no-mce no-bootscrub', `${dom0Line} nomodeset`)
  );
}

export interface SimulatedHostFiles {
  readonly dir: string;
  /** What xen-cmdline edits: the grub.cfg whose default entry holds the dom0 line of the next boot. */
  readonly bootConfig: string;
  readonly procCmdline: string;
  readonly bootId: string;
  /** A xen-cmdline bound to this host, to run by hand like the real one. */
  readonly xenCmdline: string;
}

export function simulatedHostFiles(dataDir: string): SimulatedHostFiles {
  const dir = join(dataDir, 'host');
  return {
    dir,
    bootConfig: join(dir, 'boot', 'grub', 'grub.cfg'),
    procCmdline: join(dir, 'proc-cmdline'),
    bootId: join(dir, 'boot_id'),
    xenCmdline: join(dir, 'xen-cmdline'),
  };
}

/** Lays out a simulated dom0 in the data dir, keeping one that is already there. */
export function prepareSimulatedHost(dataDir: string): SimulatedHostFiles {
  const files = simulatedHostFiles(dataDir);
  mkdirSync(dirname(files.bootConfig), { recursive: true });
  if (!existsSync(files.bootConfig)) writeAtomically(files.bootConfig, firstGrubConfig(FIRST_DOM0_LINE));
  if (!existsSync(files.procCmdline)) writeAtomically(files.procCmdline, runningLine(files));
  if (!existsSync(files.bootId)) writeAtomically(files.bootId, `${randomUUID()}\n`);
  writeAtomically(
    files.xenCmdline,
    `#!/bin/sh\n# xen-cmdline of the simulated host in this data dir\n` +
      `PASSTHRU_SIMULATED_ROOT=${shellQuote(files.dir)} exec ${shellQuote(process.execPath)} ${shellQuote(STAND_IN)} "$@"\n`,
  );
  chmodSync(files.xenCmdline, 0o755);
  return files;
}

/** A reboot: the next boot's dom0 line, as Xen hands it over, becomes the running one, under a new boot id. */
export function rebootSimulatedHost(dataDir: string): { bootId: string } {
  const files = prepareSimulatedHost(dataDir);
  const bootId = randomUUID();
  writeAtomically(files.procCmdline, runningLine(files));
  writeAtomically(files.bootId, `${bootId}\n`);
  return { bootId };
}

/**
 * What the dom0 kernel shows in /proc/cmdline: grub hands Xen the default
 * entry's module2 line, Xen's `cmdline_cook` drops the kernel path, and
 * `create_dom0` keeps the first 1023 characters (xen/arch/x86/setup.c,
 * `safe_strcpy` into `dom0_cmdline[MAX_GUEST_CMDLINE]`); Linux's PV entry
 * copies `xen_start_info->cmd_line` as the boot command line.
 */
function runningLine(files: SimulatedHostFiles): string {
  return `${(dom0LineOfConfig(readFileSync(files.bootConfig, 'utf8')) ?? '').slice(0, XEN_KEEPS)}\n`;
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
