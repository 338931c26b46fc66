import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XEN_KEEPS } from '../../domain/dom0-line.ts';
import { XCP_NG_BRAND, dom0LineOfConfig } from './boot-config.ts';
import { mirrorPciDevices } from './simulated-machine.ts';
import { boot, useTwin, type TwinConfig } from './simulated/twin-state.js';

const SIMULATED = fileURLToPath(new URL('./simulated/', import.meta.url));
/** The programs of the twin of an XCP-ng host (services/host/simulated/). */
export type TwinScript = 'xl.js' | 'xenstore.js' | 'kernel-sysfs-write.js';
/** `xl info`'s virt_caps of a host whose IOMMU is on (hvm_directio), as the simulated host's Xen reports them. */
const VIRT_CAPS = 'pv hvm hvm_directio pv_directio hap shadow';
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
  /** The simulated host's sysfs: the machine's PCI devices mirrored, pciback and dom0's drivers bound by the twin. */
  readonly sysfs: string;
  readonly sysfsPci: string;
  /** The twin's state of this host (services/host/simulated/twin-state.js): its config.json, xenstore, Xen, pciback. */
  readonly twin: string;
  /** The twin's xl, xenstore client and kernel side of sysfs writes, bound to this host, to run by hand too. */
  readonly xl: string;
  readonly xenstore: string;
  readonly sysfsWriter: string;
}

export function simulatedHostFiles(dataDir: string): SimulatedHostFiles {
  const dir = join(dataDir, 'host');
  return {
    dir,
    bootConfig: join(dir, 'boot', 'grub', 'grub.cfg'),
    procCmdline: join(dir, 'proc-cmdline'),
    bootId: join(dir, 'boot_id'),
    xenCmdline: join(dir, 'xen-cmdline'),
    sysfs: join(dir, 'sys'),
    sysfsPci: join(dir, 'sys', 'bus', 'pci', 'devices'),
    twin: join(dir, 'twin'),
    xl: join(dir, 'xl'),
    xenstore: join(dir, 'xenstore'),
    sysfsWriter: join(dir, 'kernel-sysfs-write'),
  };
}

/**
 * Lays out a simulated dom0 in the data dir, keeping one that is already
 * there. With `machine`, the sysfs of the machine it runs on, it simulates the
 * whole host: the machine's PCI devices are mirrored once into a sysfs of its
 * own, which the twin of an XCP-ng host (xl, xenstore, the kernel's side of
 * sysfs writes, pciback at boot) acts on. The production code then reads and
 * hands over through the very paths and programs it uses on a Xen host, and
 * never touches the machine's devices. Null: the service reads a PCI bus its
 * settings name, and no twin is laid out.
 */
export function prepareSimulatedHost(dataDir: string, machine: string | null = null): SimulatedHostFiles {
  const files = simulatedHostFiles(dataDir);
  mkdirSync(dirname(files.bootConfig), { recursive: true });
  if (!existsSync(files.bootConfig)) writeAtomically(files.bootConfig, firstGrubConfig(FIRST_DOM0_LINE));
  if (!existsSync(files.procCmdline)) writeAtomically(files.procCmdline, runningLine(files));
  if (!existsSync(files.bootId)) writeAtomically(files.bootId, `${randomUUID()}\n`);
  writeWrapper(files.xenCmdline, 'PASSTHRU_SIMULATED_ROOT', files.dir, join(SIMULATED, 'xen-cmdline.js'));
  if (machine !== null) prepareTwin(files, machine);
  return files;
}

/** The twin over a mirror of the machine, made once (its config.json is written last, so a half-made mirror is made again). */
function prepareTwin(files: SimulatedHostFiles, machine: string): void {
  if (!existsSync(join(files.twin, 'config.json'))) {
    rmSync(files.sysfs, { recursive: true, force: true });
    const drivers = mirrorPciDevices(machine, files.sysfs);
    mkdirSync(files.twin, { recursive: true });
    writeXlInfo(files.twin, VIRT_CAPS);
    writeTwinConfig(files.twin, {
      sysfs: files.sysfs,
      procCmdline: files.procCmdline,
      bootId: files.bootId,
      drivers,
    });
    // The first boot: each device bound to its dom0 driver, as on the machine, and pciback loaded.
    bootTwin(files.twin);
  }
  writeTwinWrapper(files.xl, files.twin, 'xl.js');
  writeTwinWrapper(files.xenstore, files.twin, 'xenstore.js');
  writeTwinWrapper(files.sysfsWriter, files.twin, 'kernel-sysfs-write.js');
}

/**
 * A reboot: the next boot's dom0 line, as Xen hands it over, becomes the
 * running one, under a new boot id; on a whole simulated host, the kernel
 * then boots on it (the twin's `boot`: pciback seizes what it hides, dom0's
 * drivers take the rest).
 */
export function rebootSimulatedHost(dataDir: string): { bootId: string } {
  const files = prepareSimulatedHost(dataDir);
  const bootId = randomUUID();
  writeAtomically(files.procCmdline, runningLine(files));
  writeAtomically(files.bootId, `${bootId}\n`);
  if (existsSync(join(files.twin, 'config.json'))) bootTwin(files.twin);
  return { bootId };
}

function bootTwin(twin: string): void {
  useTwin(twin);
  boot();
}

/** The twin's settings (see twin-state.js `config`). */
export function writeTwinConfig(twin: string, config: TwinConfig): void {
  writeAtomically(join(twin, 'config.json'), JSON.stringify(config));
}

/** What the twin's `xl info` prints: the host, its kernel and Xen, and the virt_caps that say whether the IOMMU is on. */
export function writeXlInfo(twin: string, virtCaps: string): void {
  writeAtomically(
    join(twin, 'xl-info.txt'),
    `host                   : simulated\nrelease                : 4.19.0+1\nvirt_caps              : ${virtCaps}\nxen_version            : 4.17.6\n`,
  );
}

/** A program of the twin bound to its state, run like the real one (by passthru, or by hand). */
export function writeTwinWrapper(path: string, twin: string, script: TwinScript): void {
  writeWrapper(path, 'PASSTHRU_TWIN', twin, join(SIMULATED, script));
}

function writeWrapper(path: string, variable: string, value: string, script: string): void {
  writeAtomically(
    path,
    `#!/bin/sh\n# ${basename(script, '.js')} of the simulated host in this data dir\n` +
      `${variable}=${shellQuote(value)} exec ${shellQuote(process.execPath)} ${shellQuote(script)} "$@"\n`,
  );
  chmodSync(path, 0o755);
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
