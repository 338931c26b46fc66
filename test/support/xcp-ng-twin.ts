import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TwinScript, writeTwinConfig, writeTwinWrapper, writeXlInfo } from '../../services/host/simulated-host.ts';
import {
  config,
  driverOf,
  kernelWrite,
  load,
  save,
  seized,
  useTwin,
  xsRemove,
  xsWrite,
  type TwinState,
} from '../../services/host/simulated/twin-state.js';

export interface TwinHost {
  /** The kernel-layout fake sysfs the twin acts on. */
  readonly sysfs: string;
  /** passthru's data dir: the simulated host's running command line and boot id are in it. */
  readonly dataDir: string;
  /** The driver of dom0 whose id table matches each device: what a probe binds when pciback does not seize it. */
  readonly drivers: Readonly<Record<string, string>>;
}

/** How a guest got its devices: started by xenopsd (an XCP-ng host), or by xl on plain libxl. */
export interface GuestOptions {
  readonly by?: 'xenopsd' | 'xl';
  readonly type?: 'hvm' | 'pv';
}

/**
 * An XCP-ng host around a fake sysfs: the shipped stand-ins for xl, the
 * xenstore client and the kernel's side of sysfs writes
 * (services/host/simulated/), bound to one state directory, and what a test
 * does to the host that passthru does not (start guests as xenopsd does, make
 * a program fail or hang).
 */
export class XcpNgTwin {
  readonly program: string;
  readonly xenstore: string;
  readonly sysfsWriter: string;

  constructor(
    private readonly dir: string,
    virtCaps: string,
    host: TwinHost,
  ) {
    mkdirSync(dir, { recursive: true });
    writeTwinConfig(dir, {
      sysfs: host.sysfs,
      procCmdline: join(host.dataDir, 'host', 'proc-cmdline'),
      bootId: join(host.dataDir, 'host', 'boot_id'),
      drivers: { ...host.drivers },
    });
    this.program = this.wrapper('xl', 'xl.js');
    this.xenstore = this.wrapper('xenstore', 'xenstore.js');
    this.sysfsWriter = this.wrapper('sysfs-write', 'kernel-sysfs-write.js');
    this.virtCaps(virtCaps);
  }

  /** The settings that point passthru at the twin. */
  get env(): Record<string, string> {
    return { PASSTHRU_XL: this.program, PASSTHRU_XENSTORE: this.xenstore, PASSTHRU_SYSFS_WRITER: this.sysfsWriter };
  }

  virtCaps(caps: string): void {
    writeXlInfo(this.dir, caps);
  }

  /**
   * A guest running with these devices passed through. By xenopsd (the
   * default): it binds each device to pciback itself through sysfs (new_slot,
   * then bind, with no quarantine), has Xen give it to the guest, and writes
   * the guest's name, VM and PCI backend in xenstore. By xl on plain libxl, a
   * PV guest's devices are in libxl's backend too, so `xl pci-list` shows them.
   */
  guest(domid: number, name: string, devices: readonly string[], options: GuestOptions = {}): this {
    const uuid = `00000000-0000-4000-8000-${String(domid).padStart(12, '0')}`;
    this.change((state) => {
      for (const id of devices) {
        const driver = driverOf(id);
        if (driver !== 'pciback') {
          if (driver !== null) this.kernel(state, `drivers/${driver}/unbind`, id);
          if (!seized(state, id)) this.kernel(state, 'drivers/pciback/new_slot', id);
          this.kernel(state, 'drivers/pciback/bind', id);
        }
        state.assigned[id] = domid;
      }
      state.domains[String(domid)] = {
        name,
        uuid,
        type: options.type ?? 'hvm',
        by: options.by ?? 'xenopsd',
        devices: [...devices],
      };
      xsWrite(state, `/local/domain/${domid}/name`, name);
      xsWrite(state, `/local/domain/${domid}/vm`, `/vm/${uuid}`);
      const backend = `/local/domain/0/backend/pci/${domid}/0`;
      xsWrite(state, `${backend}/frontend-id`, String(domid));
      devices.forEach((id, n) => {
        xsWrite(state, `${backend}/key-${n}`, id);
        xsWrite(state, `${backend}/dev-${n}`, id);
        xsWrite(state, `${backend}/state-${n}`, '1');
      });
      xsWrite(state, `${backend}/num_devs`, String(devices.length));
    });
    return this;
  }

  /** Every guest shut down: Xen takes their devices back for dom0 (pciback keeps them), xenopsd clears xenstore. */
  noGuests(): this {
    this.change((state) => {
      for (const domid of Object.keys(state.domains)) {
        xsRemove(state, `/local/domain/${domid}`);
        xsRemove(state, `/local/domain/0/backend/pci/${domid}`);
      }
      state.domains = {};
      state.assigned = {};
    });
    return this;
  }

  /** Whether a driver of dom0 matches the device's ids (null: none does, and a probe leaves it without one). */
  matchingDriver(id: string, driver: string | null): this {
    const file = join(this.dir, 'config.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as { drivers: Record<string, string> };
    if (driver === null) delete settings.drivers[id];
    else settings.drivers[id] = driver;
    writeFileSync(file, JSON.stringify(settings));
    return this;
  }

  /** `pci-assignable-add` and `-remove` of this device fail, printing `message` as xl's error. */
  failOn(id: string, message: string): this {
    writeFileSync(join(this.dir, `fail-${id}`), `${message}\n`);
    return this;
  }

  /** This xl subcommand (or `xenstore`, every use of the xenstore client) never answers. */
  hangOn(subcommand: string): this {
    writeFileSync(join(this.dir, `hang-${subcommand}`), '');
    return this;
  }

  /** Every use of the xenstore client fails, printing `message` (null: it works again). */
  xenstoreFails(message: string | null): this {
    const file = join(this.dir, 'fail-xenstore');
    if (message === null) rmSync(file, { force: true });
    else writeFileSync(file, `${message}\n`);
    return this;
  }

  /** The program gone, as on a host without the toolstack. */
  remove(): void {
    rmSync(this.program);
  }

  /** The driver bound to a device, as its sysfs link shows it. */
  driverOf(id: string): string | null {
    useTwin(this.dir);
    return driverOf(id);
  }

  /** What Xen and pciback hold now, for a test that checks the host itself. */
  state(): TwinState {
    useTwin(this.dir);
    return load();
  }

  private change(edit: (state: TwinState) => void): void {
    const state = this.state();
    edit(state);
    save(state);
  }

  /** A write xenopsd makes to sysfs, acted on as the kernel does. */
  private kernel(state: TwinState, file: string, id: string): void {
    kernelWrite(state, join(config().sysfs, 'bus', 'pci', file), id);
  }

  private wrapper(name: string, script: TwinScript): string {
    const path = join(this.dir, name);
    writeTwinWrapper(path, this.dir, script);
    return path;
  }
}
