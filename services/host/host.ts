import { readFile } from 'node:fs/promises';
import type { DeviceIdentity } from '../../domain/device.ts';
import { hostFailure, PassthruError } from '../../domain/errors.ts';
import { coveredDevices, formatHideList, hidingBridge, parseHideList, type HideList } from '../../domain/hide-list.ts';
import {
  hasHideKey,
  HIDE_KEY,
  HIDE_KEYS,
  hideListOf,
  IGNORED_HIDE_KEY,
  parseKernelCmdline,
  type KernelParameter,
  valueOf,
} from '../../domain/kernel-cmdline.ts';
import {
  hideListProblems,
  type BootHideKeys,
  type BootWhen,
  type HideListProblem,
} from '../../domain/unheeded-hides.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { PciIds } from './pci-ids.ts';
import { readHostSafety } from './safety/protected-devices.ts';
import type { HostSafety, SafetyPaths } from './safety/safety-types.ts';
import { readInventory } from './sysfs-inventory.ts';
import { readPciTopology } from './pci-topology.ts';
import { FileKeyedCache, filesSignature } from './file-keyed-cache.ts';
import { XenCmdline } from './xen-cmdline.ts';
import { readDom0Line } from './boot-config.ts';
import { dom0LineWith, runningLineCut, type RunningLineCut } from '../../domain/dom0-line.ts';
import { dirname, join } from 'node:path';
import { readDriver } from './drivers.ts';
import { assignableAdd, assignableRemove, NO_XL, readIommu, type IommuReading } from './xl.ts';
import { ProgramFailure } from './run-program.ts';
import type { HolderReading } from '../../domain/holders.ts';
import { PCIBACK } from '../../domain/passthrough.ts';
import { readHolders } from './xenstore.ts';
import { awaitDriver, DRIVER_DEADLINE_MS, readPciback } from './dom0-driver.ts';
import { writeSysfs } from './sysfs-write.ts';

export type HostMode = 'xen' | 'simulated';

/** The next boot's hide list moved between the read a decision rested on and the write of it. */
export class HideListMoved extends Error {
  override readonly name = 'HideListMoved';
}

/** Whether two reads of the next boot's hide keys found the same lists. */
function sameHideKeys(a: PendingHideList, b: PendingHideList): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    formatHideList(a.list) === formatHideList(b.list) &&
    same(a.list.unreadable, b.list.unreadable) &&
    a.ignored === b.ignored
  );
}

/**
 * What a write of the pending list runs: `--set-dom0 xen-pciback.hide=VALUE`
 * unless the list is empty, then `--delete-dom0` of each stale key. A
 * `pciback.hide` is left as it is (no kernel reads it, and moving its entries
 * would hide devices nobody asked to hide) unless `dropIgnored`, for a repair
 * that moved or dropped it.
 */
function hideListWrite(
  list: HideList,
  was: PendingHideList,
  options: { dropIgnored?: boolean },
): { value: string; stale: string[] } {
  const value = formatHideList(list);
  const stale = was.keys.filter((key) => (key === HIDE_KEY ? value === '' : options.dropIgnored === true));
  return { value, stale };
}

export interface HostPaths extends SafetyPaths {
  readonly xenCmdline: string;
  /** The files xen-cmdline edits; while none changes, the pending list is not read again. */
  readonly bootConfig: readonly string[];
  readonly procCmdline: string;
  readonly bootId: string;
  /** Xen's toolstack, asked for the IOMMU and to hand devices over; null when there is none to ask. */
  readonly xl: string | null;
  /** The xenstore client, asked who holds each device; null when there is none to ask. */
  readonly xenstore: string | null;
  /** A program run as `PROGRAM FILE VALUE` for each write to sysfs in place of the write; null on a real host, which writes the files. */
  readonly sysfsWriter: string | null;
}

/** A command line's hide keys as read, and the devices they hide (wildcards and bridges matched against the inventory). */
export interface ReadHideList extends BootHideKeys {
  /** Empty when xen-pciback rejects the list. */
  readonly devices: ReadonlySet<PciAddress>;
  /** Why the list hides less than it names; empty when it hides all it names. */
  readonly problems: readonly HideListProblem[];
  /** The problems of the lists that name each device without hiding it. */
  readonly unheeded: ReadonlyMap<PciAddress, readonly HideListProblem[]>;
}

/** The next boot's hide list, and which of the hide keys hold it. */
export interface PendingHideList extends ReadHideList {
  readonly keys: readonly string[];
  /** The boot configuration files' signature taken right before the list was read; null when none is known. */
  readonly signature: string | null;
}

/** The running kernel's hide list, and whether Xen cut the line it came on. */
export interface RunningHideList extends ReadHideList {
  readonly cut: RunningLineCut | null;
}

export interface HideLists {
  readonly current: ReadonlySet<PciAddress>;
  readonly running: RunningHideList;
  /** What pciback is bound to now (its sysfs driver directory): hidden now, whatever the running command line says. */
  readonly pciback: ReadonlySet<PciAddress>;
  /** pciback's list of devices to seize now (its `slots`); null when pciback is not loaded. */
  readonly slots: ReadonlySet<PciAddress> | null;
  readonly pending: PendingHideList;
}

/**
 * The one host adapter: a real dom0 and a simulated one differ only in the
 * paths it is given, so the same code reads and writes both.
 */
export class Host {
  private readonly xenCmdline: XenCmdline;
  private current: Promise<RunningHideList> | null = null;
  private iommuReading: Promise<IommuReading> | null = null;
  private holderReading: HolderReading = { known: false, detail: 'not read yet' };
  private pcibackThisTurn: Promise<Pick<HideLists, 'pciback' | 'slots'>> | null = null;
  private ownWrite: string | null = null;
  private readonly pending: FileKeyedCache<PendingHideList>;
  /** The devices of the last inventory: what a wildcard entry is matched against. */
  private known: readonly PciAddress[] = [];
  /** The bridges above each device of the last inventory, root first: a hidden bridge hides what is below it. */
  private bridges = new Map<PciAddress, readonly PciAddress[]>();

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
  currentHideList(): Promise<RunningHideList> {
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
   * Reads again which guest holds each device: at each reconcile, each
   * command and by the poll, never per read, as it runs the xenstore client
   * once, then once per holding guest.
   */
  async refreshHolders(): Promise<HolderReading> {
    this.holderReading = await readHolders(this.paths.xenstore, this.timeoutMs);
    return this.holderReading;
  }

  /** What the last refresh found. */
  get holders(): HolderReading {
    return this.holderReading;
  }

  /**
   * Hands a device to pciback now, as libxl does (dom0's driver unbound and
   * saved, the device quarantined), and checks on its driver link that pciback
   * has it; fails with xl's own message, or with what is bound instead.
   */
  async handToPciback(id: PciAddress): Promise<void> {
    await this.runXl((xl) => assignableAdd(xl, id, this.timeoutMs));
    const driver = await awaitDriver(this.paths.sysfsPci, id, (d) => d === PCIBACK);
    if (driver !== PCIBACK) {
      throw hostFailure(
        `xl pci-assignable-add ${id} returned, yet ${describeDriver(driver)} after ${DRIVER_DEADLINE_MS} ms`,
      );
    }
  }

  /**
   * Gives a device pciback holds back to dom0, however pciback got it, and
   * answers the driver bound after (null when none took it). libxl's remove
   * first: it de-quarantines what libxl quarantined, and rebinds the driver it
   * saved. Xen refuses it for a device it never quarantined (pciback took it
   * at boot, or a guest of xenopsd had it): then pciback lets go through
   * sysfs as libxl's pciback_dev_unassign does (unbind, then remove_slot, so
   * that no probe gives it to pciback again). A device left with no driver is
   * then probed, which binds the driver whose ids match it.
   */
  async giveBack(id: PciAddress): Promise<string | null> {
    try {
      await this.runXl((xl) => assignableRemove(xl, id, this.timeoutMs));
    } catch (error) {
      if (!(error instanceof PassthruError && /failed to de-quarantine/.test(String(error.details.stderr))))
        throw error;
      if ((await this.driver(id)) === PCIBACK) await this.writeSysfs(join(this.driversDir, PCIBACK, 'unbind'), id);
      // ENOENT: pciback's list does not name it (pcistub_device_id_remove), so no probe gives it to pciback.
      await this.writeSysfs(join(this.driversDir, PCIBACK, 'remove_slot'), id, ['ENOENT']);
    }
    if ((await this.driver(id)) === null) {
      await this.writeSysfs(join(this.pciBus, 'drivers_probe'), id);
    }
    return awaitDriver(this.paths.sysfsPci, id, (d) => d !== null && d !== PCIBACK);
  }

  /**
   * The PCI bus's sysfs directory (`/sys/bus/pci` on a Xen host), beside its
   * `devices` as the kernel lays them: where pciback's driver and
   * `drivers_probe` are, and where advice says to write.
   */
  get pciBus(): string {
    return dirname(this.paths.sysfsPci);
  }

  private get driversDir(): string {
    return join(this.pciBus, 'drivers');
  }

  private async runXl(run: (program: string) => Promise<void>): Promise<void> {
    const program = this.paths.xl;
    if (program === null) throw hostFailure(`${NO_XL}: a device cannot be handed over now`);
    try {
      await run(program);
    } catch (error) {
      if (error instanceof ProgramFailure) throw hostFailure(error.message, { xl: error.reason, stderr: error.stderr });
      throw error;
    }
  }

  private async writeSysfs(file: string, value: string, harmless: readonly string[] = []): Promise<void> {
    const refusal = await writeSysfs(this.paths.sysfsWriter, file, value, this.timeoutMs);
    if (refusal && !harmless.includes(refusal.code)) throw refusal.error;
  }

  /** The driver bound to a device now, read at every ask: a rebind shows at once. */
  driver(id: PciAddress): Promise<string | null> {
    return readDriver(this.paths.sysfsPci, id);
  }

  /** The hide list the next boot will use. */
  pendingHideList(): Promise<PendingHideList> {
    return this.pending.get();
  }

  private async readCurrentHideList(): Promise<RunningHideList> {
    const line = await this.readHostFile(this.paths.procCmdline, 'running command line');
    return { ...this.readKeys('current', parseKernelCmdline(line)), cut: runningLineCut(line) };
  }

  private async readPendingHideList(): Promise<PendingHideList> {
    // Before the read: a write that lands during it changes the files after this, so it is never taken as unmoved.
    const signature = this.paths.bootConfig.length > 0 ? filesSignature(this.paths.bootConfig) : null;
    const parameters = await this.xenCmdline.getDom0(HIDE_KEYS);
    return {
      ...this.readKeys('pending', parameters),
      keys: HIDE_KEYS.filter((key) => hasHideKey(parameters, key)),
      signature,
    };
  }

  private readKeys(when: BootWhen, parameters: readonly KernelParameter[]): ReadHideList {
    return this.withDevices(when, { list: hideListOf(parameters), ignored: valueOf(parameters, IGNORED_HIDE_KEY) });
  }

  private withDevices(when: BootWhen, keys: BootHideKeys): ReadHideList {
    const problems = hideListProblems(when, keys);
    const unheeded = new Map<PciAddress, HideListProblem[]>();
    for (const problem of problems) {
      const list = problem.code === 'hide_list_rejected' ? keys.list : parseHideList(keys.ignored ?? '');
      for (const id of this.devicesOf({ entries: list.entries, unreadable: [] })) {
        unheeded.set(id, [...(unheeded.get(id) ?? []), problem]);
      }
    }
    return { ...keys, devices: this.devicesOf(keys.list), problems, unheeded };
  }

  /**
   * Both lists. `fresh` runs xen-cmdline whatever the files say: a command's
   * read-modify-write must not rest on the cache's idea of which files
   * xen-cmdline edits. `forRequest` (a read answering a request, from its
   * handler) looks at the boot configuration once an event loop turn: see
   * `FileKeyedCache.getForRequest`.
   */
  async hideLists(options: { fresh?: boolean; forRequest?: boolean } = {}): Promise<HideLists> {
    if (options.fresh) this.pending.forget();
    // One after the other: a failure of the first leaves no second read unobserved.
    const current = await this.currentHideList();
    return {
      current: current.devices,
      running: current,
      ...(await (options.forRequest ? this.pcibackForRequest() : this.pcibackNow())),
      pending: await (options.forRequest ? this.pending.getForRequest() : this.pendingHideList()),
    };
  }

  /**
   * pciback's side read once an event loop turn for the requests answered in
   * it, as the boot configuration is looked at (`FileKeyedCache.getForRequest`):
   * they all arrived by the poll that began the turn, and the read is issued
   * after it, so a change made before any of them was sent is seen.
   */
  private pcibackForRequest(): Promise<Pick<HideLists, 'pciback' | 'slots'>> {
    if (this.pcibackThisTurn === null) {
      const reading = this.pcibackNow();
      this.pcibackThisTurn = reading;
      setImmediate(() => (this.pcibackThisTurn = null));
    }
    return this.pcibackThisTurn;
  }

  /** What pciback is bound to and is to seize now, read from sysfs alone: after a hand-over, nothing else moved. */
  async pcibackNow(): Promise<Pick<HideLists, 'pciback' | 'slots'>> {
    return readPciback(this.pciBus);
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
   * Writes the whole pending list under `xen-pciback.hide` (see `hideListWrite`). Answers the pending list as written.
   * Another writer (xapi's own `PCI.disable_dom0_access`, a person with xen-cmdline) takes no lock of passthru's:
   * the list is read again right before the write, and a list that moved since `was` was read is not written over
   * (`HideListMoved`): the caller decides again from what it holds now.
   */
  async writePendingHideList(
    list: HideList,
    was: PendingHideList,
    options: { dropIgnored?: boolean } = {},
  ): Promise<PendingHideList> {
    this.pending.forget();
    // Files as they were before `was` was read cannot hold another list: xen-cmdline is asked again only when they moved.
    const unmoved = was.signature !== null && was.signature === filesSignature(this.paths.bootConfig);
    if (!unmoved && !sameHideKeys(await this.readPendingHideList(), was)) {
      throw new HideListMoved('the next boot’s hide list changed since it was read: another writer edited it');
    }
    const { value, stale } = hideListWrite(list, was, options);
    try {
      if (value !== '') await this.xenCmdline.setDom0(HIDE_KEY, value);
      for (const key of stale) await this.xenCmdline.deleteDom0(key);
      this.ownWrite = filesSignature(this.paths.bootConfig);
    } finally {
      // A read that ran during the write may have cached the list from before it.
      this.pending.forget();
    }
    const ignored = options.dropIgnored ? null : was.ignored;
    return {
      ...this.withDevices('pending', { list: parseHideList(value), ignored }),
      keys: was.keys
        .filter((key) => !stale.includes(key))
        .concat(value !== '' && !was.keys.includes(HIDE_KEY) ? [HIDE_KEY] : []),
      // Another writer may have followed this one at once: the next write asks xen-cmdline again.
      signature: null,
    };
  }

  /** The whole dom0 line of the next boot, from the boot configuration xen-cmdline edits; null when none is known. */
  dom0Line(): Promise<string | null> {
    return readDom0Line(this.paths.bootConfig);
  }

  /** The next boot's dom0 line as `writePendingHideList` would leave it; null when no boot configuration is known. */
  async dom0LineAfterWrite(
    list: HideList,
    was: PendingHideList,
    options: { dropIgnored?: boolean } = {},
  ): Promise<string | null> {
    const line = await this.dom0Line();
    if (line === null) return null;
    const { value, stale } = hideListWrite(list, was, options);
    const set = value === '' ? line : dom0LineWith(line, HIDE_KEY, value);
    return stale.reduce((after, key) => dom0LineWith(after, key, null), set);
  }

  /** The PCI devices of this host; the hide lists' wildcards are matched against them from now on. */
  async inventory(): Promise<DeviceIdentity[]> {
    const devices = await readInventory(this.paths.sysfsPci, this.ids);
    const { placements } = await readPciTopology(this.paths.sysfsPci, devices);
    this.known = devices.map((d) => d.id);
    this.bridges = new Map(placements.map((p) => [p.id, p.path.slice(0, -1)]));
    this.current = null;
    this.pending.forget();
    return devices;
  }

  get knownDevices(): readonly PciAddress[] {
    return this.known;
  }

  /** The devices a list hides on this host. */
  devicesOf(list: HideList): Set<PciAddress> {
    return coveredDevices(list, this.known, this.bridgesAbove);
  }

  /** The bridge whose entry in the list hides the device with it, or null. */
  hidingBridge(list: HideList, id: PciAddress): PciAddress | null {
    return hidingBridge(list, id, this.bridgesAbove);
  }

  private readonly bridgesAbove = (id: PciAddress): readonly PciAddress[] => this.bridges.get(id) ?? [];

  /** Which devices dom0 needs and which must move together; read with each inventory, never per request. */
  safety(inventory: readonly DeviceIdentity[]): Promise<HostSafety> {
    return readHostSafety(this.paths, inventory, this.timeoutMs);
  }

  private async readHostFile(path: string, what: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw hostFailure(`cannot read the ${what} from ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  }
}

export function describeDriver(driver: string | null): string {
  return driver === null ? 'no driver is bound' : `${driver} is bound`;
}
