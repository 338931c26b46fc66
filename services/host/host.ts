import { readFile } from 'node:fs/promises';
import type { DeviceIdentity } from '../../domain/device.ts';
import { hostFailure } from '../../domain/errors.ts';
import { coveredDevices, formatHideList, type HideList } from '../../domain/hide-list.ts';
import { hasHideKey, HIDE_KEY, HIDE_KEYS, hideListOf, parseKernelCmdline } from '../../domain/kernel-cmdline.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { PciIds } from './pci-ids.ts';
import { readHostSafety } from './protected-devices.ts';
import type { HostSafety, SafetyPaths } from './safety-types.ts';
import { readInventory } from './sysfs-inventory.ts';
import { FileKeyedCache, filesSignature } from './file-keyed-cache.ts';
import { XenCmdline } from './xen-cmdline.ts';
import { readDriver } from './drivers.ts';
import {
  assignableAdd,
  assignableRemove,
  NO_XL_FACTS,
  readIommu,
  readXlFacts,
  type IommuReading,
  type XlFacts,
} from './xl.ts';
import { ProgramFailure } from './run-program.ts';
import type { CommandName } from '../../domain/events.ts';

export type HostMode = 'xen' | 'simulated';

export interface HostPaths extends SafetyPaths {
  readonly xenCmdline: string;
  /** The files xen-cmdline edits; while none changes, the pending list is not read again. */
  readonly bootConfig: readonly string[];
  readonly procCmdline: string;
  readonly bootId: string;
  /** Xen's toolstack, asked for the IOMMU, who holds what, and to hand devices over; null when there is none to ask. */
  readonly xl: string | null;
}

/** A hide list as read, and the devices it hides (its wildcards matched against the inventory). */
export interface ReadHideList {
  readonly devices: ReadonlySet<PciAddress>;
  readonly list: HideList;
}

/** The next boot's hide list, and which of the hide keys hold it. */
export interface PendingHideList extends ReadHideList {
  readonly keys: readonly string[];
}

export interface HideLists {
  readonly current: ReadonlySet<PciAddress>;
  /** What pciback holds now (`xl pci-assignable-list`): hidden now, whatever the running command line says. */
  readonly assignable: ReadonlySet<PciAddress>;
  /** What the running kernel's list holds past the first entry xen-pciback cannot read. */
  readonly currentUnreadable: readonly string[];
  readonly pending: PendingHideList;
}

/**
 * The one host adapter: a real dom0 and a simulated one differ only in the
 * paths it is given, so the same code reads and writes both.
 */
export class Host {
  private readonly xenCmdline: XenCmdline;
  private current: Promise<ReadHideList> | null = null;
  private iommuReading: Promise<IommuReading> | null = null;
  private xl: XlFacts = NO_XL_FACTS;
  private ownWrite: string | null = null;
  private readonly pending: FileKeyedCache<PendingHideList>;
  /** The devices of the last inventory: what a wildcard entry is matched against. */
  private known: readonly PciAddress[] = [];

  constructor(
    readonly mode: HostMode,
    readonly paths: HostPaths,
    readonly ids: PciIds,
    private readonly timeoutMs: number,
  ) {
    this.xenCmdline = new XenCmdline(paths.xenCmdline, timeoutMs);
    this.pending = new FileKeyedCache(paths.bootConfig, () => this.readPendingHideList());
  }

  async bootId(): Promise<string> {
    const text = await this.readHostFile(this.paths.bootId, 'boot id');
    const id = text.trim();
    if (!/^[\x21-\x7e]{1,128}$/.test(id)) throw hostFailure(`the boot id in ${this.paths.bootId} is not an identifier`);
    return id;
  }

  /**
   * The running kernel's hide list. A running kernel's command line never
   * changes, so it is read once a boot: the reconciler, which runs at every
   * start and after `passthru reboot` of a simulated host, forgets it first.
   */
  currentHideList(): Promise<ReadHideList> {
    if (!this.current) {
      const reading = this.readCurrentHideList();
      this.current = reading;
      reading.catch(() => {
        if (this.current === reading) this.current = null;
      });
    }
    return this.current;
  }

  forgetRunningKernel(): void {
    this.current = null;
    this.iommuReading = null;
  }

  /** Whether Xen can pass devices through; like the running kernel, fixed for a boot and read once. */
  iommu(): Promise<IommuReading> {
    this.iommuReading ??= readIommu(this.paths.xl, this.timeoutMs);
    return this.iommuReading;
  }

  /**
   * Reads again which devices pciback holds and which guest holds each: at
   * each reconcile, after each command and by the poll, never per read, as a
   * read of them runs xl once per running guest.
   */
  async refreshXlFacts(): Promise<XlFacts> {
    this.xl = await readXlFacts(this.paths.xl, this.timeoutMs);
    return this.xl;
  }

  /** What the last refresh found. */
  get xlFacts(): XlFacts {
    return this.xl;
  }

  /**
   * Hands a device to pciback now (hide) or gives it back to the driver dom0
   * had (unhide); fails with xl's own message.
   */
  async handOver(action: CommandName, id: PciAddress): Promise<void> {
    const program = this.paths.xl;
    if (program === null) throw hostFailure('no xl program is set (PASSTHRU_XL): a device cannot be handed over now');
    try {
      if (action === 'hide') await assignableAdd(program, id, this.timeoutMs);
      else await assignableRemove(program, id, this.timeoutMs);
    } catch (error) {
      if (error instanceof ProgramFailure) throw hostFailure(error.message, { xl: error.reason });
      throw error;
    }
  }

  /** The driver bound to a device now, read at every ask: a rebind shows at once. */
  driver(id: PciAddress): Promise<string | null> {
    return readDriver(this.paths.sysfsPci, id);
  }

  /** The hide list the next boot will use. */
  pendingHideList(): Promise<PendingHideList> {
    return this.pending.get();
  }

  private async readCurrentHideList(): Promise<ReadHideList> {
    const line = await this.readHostFile(this.paths.procCmdline, 'running command line');
    return this.withDevices(hideListOf(parseKernelCmdline(line)));
  }

  private async readPendingHideList(): Promise<PendingHideList> {
    const parameters = await this.xenCmdline.getDom0(HIDE_KEYS);
    return {
      ...this.withDevices(hideListOf(parameters)),
      keys: HIDE_KEYS.filter((key) => hasHideKey(parameters, key)),
    };
  }

  private withDevices(list: HideList): ReadHideList {
    return { list, devices: this.devicesOf(list) };
  }

  /**
   * Both lists. `fresh` runs xen-cmdline whatever the files say: a command's
   * read-modify-write must not rest on the cache's idea of which files
   * xen-cmdline edits.
   */
  async hideLists(options: { fresh?: boolean } = {}): Promise<HideLists> {
    if (options.fresh) this.pending.forget();
    // One after the other: a failure of the first leaves no second read unobserved.
    const current = await this.currentHideList();
    return {
      current: current.devices,
      assignable: this.xl.assignable,
      currentUnreadable: current.list.unreadable,
      pending: await this.pendingHideList(),
    };
  }

  /**
   * Whether the boot configuration files are as passthru's own last write
   * left them: a watcher that sees them change has then nothing by hand to
   * record, and need not run xen-cmdline in the way of the next command.
   */
  isOwnWrite(): boolean {
    return this.ownWrite !== null && this.ownWrite === filesSignature(this.paths.bootConfig);
  }

  /**
   * Writes the whole pending list under `xen-pciback.hide`; the entries of a
   * `pciback.hide` are already in `list`, so that key is removed rather than
   * left to hide a device behind our back.
   */
  async writePendingHideList(list: HideList, was: PendingHideList): Promise<void> {
    this.pending.forget();
    const value = formatHideList(list);
    try {
      if (value !== '') await this.xenCmdline.setDom0(HIDE_KEY, value);
      const stale = was.keys.filter((key) => key !== HIDE_KEY || value === '');
      if (stale.length > 0) await this.xenCmdline.deleteDom0(stale);
      this.ownWrite = filesSignature(this.paths.bootConfig);
    } finally {
      // A read that ran during the write may have cached the list from before it.
      this.pending.forget();
    }
  }

  /** The PCI devices of this host; the hide lists' wildcards are matched against them from now on. */
  async inventory(): Promise<DeviceIdentity[]> {
    const devices = await readInventory(this.paths.sysfsPci, this.ids);
    this.known = devices.map((d) => d.id);
    this.current = null;
    this.pending.forget();
    return devices;
  }

  get knownDevices(): readonly PciAddress[] {
    return this.known;
  }

  /** The devices a list hides on this host. */
  devicesOf(list: HideList): Set<PciAddress> {
    return coveredDevices(list, this.known);
  }

  /** Which devices dom0 needs and which must move together; read with each inventory, never per request. */
  safety(inventory: readonly DeviceIdentity[]): Promise<HostSafety> {
    return readHostSafety(this.paths, inventory);
  }

  private async readHostFile(path: string, what: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw hostFailure(`cannot read the ${what} from ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
}
