// services/read/: the read side. The projections kept up with the store and their
// checkpoint (projector.ts), the records every reader is answered with, live
// status included (records.ts), the newest events for watchers (event-tail.ts) and
// another host's feed (host-feed.ts). May import domain/, projections/, store/,
// host/ and concurrency/; never write/, so a read cannot change anything.
import type { DeviceIdentity } from '../../domain/device.ts';
import { isDisplayClass } from '../../domain/device.ts';
import { dom0AccessStatus, type Dom0AccessStatus, type HiddenIn } from '../../domain/dom0-access.ts';
import { notFound } from '../../domain/errors.ts';
import { comparePciAddresses, type PciAddress } from '../../domain/pci-address.ts';
import { protectedField, protectedIds, type ProtectedField, type Protection } from '../../domain/protection.ts';
import type { HideLists, Host } from '../host/host.ts';
import type { HostSafety } from '../host/safety/safety-types.ts';
import type { Projector } from './projector.ts';
import { passthroughVerdict, type PassthroughVerdict } from '../../domain/passthrough.ts';
import type { HideListProblem } from '../../domain/unheeded-hides.ts';
import type { Holder } from '../../domain/holders.ts';
import { recordedHardware } from '../../domain/device-state.ts';
import { hardwareIdentity, identityChange, type IdentityChange } from '../../domain/hardware-identity.ts';
import type { HiddenHardware } from '../../domain/next-boot.ts';

export interface PciRecord extends DeviceIdentity {
  readonly dom0_access: Dom0AccessStatus;
  readonly pgpu?: PciAddress;
  readonly protected: ProtectedField;
  readonly dependencies: PciAddress[];
  readonly driver: string | null;
  readonly passthrough: PassthroughVerdict;
  /** The running guest it is passed through to now, as xenstore last said; null too when that is unknown (see the verdict). */
  readonly assigned_to: Holder | null;
}

/** What dom0 did with a device at boot, whether a guest could have it now, and which guest has it. */
export type Readiness = Pick<PciRecord, 'driver' | 'passthrough' | 'assigned_to'>;

/** A device's safety as the last inventory found it, with its record field made once. */
interface Safety {
  readonly protections: readonly Protection[];
  readonly field: ProtectedField;
  readonly dependencies: PciAddress[];
}

const UNKNOWN_SAFETY: Safety = { protections: [], field: null, dependencies: [] };

export interface PgpuRecord {
  readonly id: PciAddress;
  readonly pci: PciAddress;
  readonly dom0_access: Dom0AccessStatus;
}

/**
 * The read side: identities from the inventory (or, for a device the host no
 * longer shows, from its discovery event), status always computed live.
 */
export class Records {
  private inventory = new Map<PciAddress, DeviceIdentity>();
  private safety = new Map<PciAddress, Safety>();
  /** What the last inventory could not work out about protected devices. */
  safetyProblems: readonly string[] = [];

  constructor(
    private readonly host: Host,
    private readonly projector: Projector,
  ) {}

  /** Reads the inventory, and with it which devices are protected and what depends on what. */
  async refreshInventory(): Promise<DeviceIdentity[]> {
    const devices = await this.host.inventory();
    this.inventory = new Map(devices.map((d) => [d.id, d]));
    await this.refreshSafety();
    return devices;
  }

  /**
   * Reads again which devices dom0 needs, over the last inventory: what dom0
   * uses changes while it runs (xapi plugs a local SR after start), so a
   * command that takes a device from dom0 asks afresh.
   */
  async refreshSafety(): Promise<void> {
    const safety: HostSafety = await this.host.safety([...this.inventory.values()]);
    this.safety = new Map(
      [...safety.devices].map(([id, { protections, dependencies }]) => [
        id,
        { protections, field: protectedField(protections), dependencies: [...dependencies] },
      ]),
    );
    this.safetyProblems = safety.problems;
  }

  protections(id: PciAddress): readonly Protection[] {
    return this.safetyOf(id).protections;
  }

  dependencies(id: PciAddress): readonly PciAddress[] {
    return this.safetyOf(id).dependencies;
  }

  /** Every device dom0 needs to come back after a reboot, as the last inventory found them. */
  protectedDevices(): PciAddress[] {
    return protectedIds(this.safety);
  }

  /** The record fields of a device's safety, as REST and XAPI both show them. */
  safetyFields(id: PciAddress): Pick<PciRecord, 'protected' | 'dependencies'> {
    const safety = this.safetyOf(id);
    return { protected: safety.field, dependencies: safety.dependencies };
  }

  private safetyOf(id: PciAddress): Safety {
    return this.safety.get(id) ?? UNKNOWN_SAFETY;
  }

  identity(id: PciAddress): DeviceIdentity | null {
    return this.inventory.get(id) ?? this.projector.pci.devices[id]?.identity ?? null;
  }

  /** The hardware recorded when the device was hidden, and the hardware the last inventory found at its address. */
  hiddenHardware(id: PciAddress): HiddenHardware {
    const found = this.inventory.get(id);
    return {
      recorded: recordedHardware(this.projector.pci.devices[id]),
      found: found ? hardwareIdentity(found) : null,
    };
  }

  /** Whether another device than the one hidden sits at the address now; null when the same, or unknown. */
  hardwareChange(id: PciAddress): IdentityChange | null {
    const { recorded, found } = this.hiddenHardware(id);
    return identityChange(recorded, found);
  }

  /** The device's identity, or a not-found error naming it. */
  require(id: PciAddress): DeviceIdentity {
    const identity = this.identity(id);
    if (!identity) throw notFound(`no PCI device ${id} on this host`, { id });
    return identity;
  }

  knownIds(): PciAddress[] {
    const ids = new Set<PciAddress>(this.inventory.keys());
    for (const [id, state] of Object.entries(this.projector.pci.devices)) {
      if (state.identity) ids.add(id as PciAddress);
    }
    return [...ids].sort(comparePciAddresses);
  }

  async pcis(): Promise<PciRecord[]> {
    const lists = await this.host.hideLists();
    const driverOf = this.driverReader();
    return Promise.all(this.knownIds().map((id) => this.pciRecord(this.require(id), lists, driverOf)));
  }

  async pci(id: PciAddress): Promise<PciRecord> {
    const identity = this.require(id);
    return this.pciRecord(identity, await this.host.hideLists());
  }

  /**
   * Reads each device's driver once, for records made together: a device is
   * also its neighbours' dependency, and a listing would read it again for each.
   */
  driverReader(): (id: PciAddress) => Promise<string | null> {
    const read = new Map<PciAddress, Promise<string | null>>();
    return (id) => read.get(id) ?? read.set(id, this.host.driver(id)).get(id)!;
  }

  /**
   * The driver holding the device and the verdict on it, from the live sysfs,
   * the boot's IOMMU and who holds what as xenstore last said.
   */
  async readiness(
    id: PciAddress,
    status: Dom0AccessStatus,
    unheeded: readonly HideListProblem[],
    driverOf: (id: PciAddress) => Promise<string | null> = (of) => this.host.driver(of),
  ): Promise<Readiness> {
    const sighting = async (of: PciAddress) => ({ id: of, driver: await driverOf(of) });
    const [device, dependencies, needed, { iommu }, current] = await Promise.all([
      sighting(id),
      Promise.all(this.dependencies(id).map(sighting)),
      Promise.all(this.protectedDevices().map(sighting)),
      this.host.iommu(),
      this.host.currentHideList(),
    ]);
    const holders = this.host.holders;
    return {
      driver: device.driver,
      passthrough: passthroughVerdict({
        ...device,
        status,
        dependencies,
        needed,
        iommu,
        unheeded,
        bootHidden: current.devices.has(id),
        holderUnknown: holders.known ? null : holders.detail,
        leftWithoutDriver: this.projector.pci.devices[id]?.left_without_driver === true,
        changed: this.hardwareChange(id),
        cut: current.cut,
        pciBus: this.host.pciBus,
      }),
      assigned_to: holders.known ? (holders.holders.get(id) ?? null) : null,
    };
  }

  /** For a request's handler only (see `Host.hideLists`). */
  async status(id: PciAddress): Promise<Dom0AccessStatus> {
    this.require(id);
    return statusIn(id, await this.host.hideLists({ forRequest: true }));
  }

  async pciRecord(
    identity: DeviceIdentity,
    lists: HideLists,
    driverOf?: (id: PciAddress) => Promise<string | null>,
  ): Promise<PciRecord> {
    return {
      ...identity,
      dom0_access: statusIn(identity.id, lists),
      ...(isDisplayClass(identity.class_id) ? { pgpu: identity.id } : {}),
      ...this.safetyFields(identity.id),
      ...(await this.readiness(identity.id, statusIn(identity.id, lists), unheededIn(identity.id, lists), driverOf)),
    };
  }

  async pgpus(): Promise<PgpuRecord[]> {
    const lists = await this.host.hideLists();
    return this.pgpuIds().map((id) => ({ id, pci: id, dom0_access: statusIn(id, lists) }));
  }

  async pgpu(id: PciAddress): Promise<PgpuRecord> {
    this.requirePgpu(id);
    return { id, pci: id, dom0_access: statusIn(id, await this.host.hideLists()) };
  }

  requirePgpu(id: PciAddress): void {
    if (!this.pgpuIds().includes(id)) throw notFound(`no PGPU ${id} on this host`, { id });
  }

  pgpuIds(): PciAddress[] {
    const ids = new Set(Object.keys(this.projector.pgpu.pgpus) as PciAddress[]);
    for (const device of this.inventory.values()) if (isDisplayClass(device.class_id)) ids.add(device.id);
    return [...ids].sort(comparePciAddresses);
  }
}

/**
 * Hidden now: by the running command line as pciback took it (a device given
 * back since has left pciback's slots), or bound to pciback now (handed over since).
 */
export function liveIn(id: PciAddress, lists: HideLists): HiddenIn {
  const bootHidden = lists.current.has(id) && (lists.slots === null || lists.slots.has(id));
  return { current: bootHidden || lists.pciback.has(id), pending: lists.pending.devices.has(id) };
}

/** Why the lists that name a device, the running kernel's and the next boot's, do not hide it. */
export function unheededIn(id: PciAddress, lists: HideLists): HideListProblem[] {
  return [...(lists.running.unheeded.get(id) ?? []), ...(lists.pending.unheeded.get(id) ?? [])];
}

export function statusIn(id: PciAddress, lists: HideLists): Dom0AccessStatus {
  return dom0AccessStatus(liveIn(id, lists));
}
