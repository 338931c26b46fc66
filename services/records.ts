import type { DeviceIdentity } from '../domain/device.ts';
import { isDisplayClass } from '../domain/device.ts';
import { dom0AccessStatus, type Dom0AccessStatus, type HiddenIn } from '../domain/dom0-access.ts';
import { notFound } from '../domain/errors.ts';
import { comparePciAddresses, type PciAddress } from '../domain/pci-address.ts';
import type { HideLists, Host } from './host/host.ts';
import type { Projector } from './projector.ts';

export interface PciRecord extends DeviceIdentity {
  readonly dom0_access: Dom0AccessStatus;
  readonly pgpu?: PciAddress;
}

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

  constructor(
    private readonly host: Host,
    private readonly projector: Projector,
  ) {}

  async refreshInventory(): Promise<DeviceIdentity[]> {
    const devices = await this.host.inventory();
    this.inventory = new Map(devices.map((d) => [d.id, d]));
    return devices;
  }

  identity(id: PciAddress): DeviceIdentity | null {
    return this.inventory.get(id) ?? this.projector.pci.devices[id]?.identity ?? null;
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
    return this.knownIds().map((id) => this.pciRecord(this.require(id), lists));
  }

  async pci(id: PciAddress): Promise<PciRecord> {
    const identity = this.require(id);
    return this.pciRecord(identity, await this.host.hideLists());
  }

  async status(id: PciAddress): Promise<Dom0AccessStatus> {
    this.require(id);
    return statusIn(id, await this.host.hideLists());
  }

  pciRecord(identity: DeviceIdentity, lists: HideLists): PciRecord {
    return {
      ...identity,
      dom0_access: statusIn(identity.id, lists),
      ...(isDisplayClass(identity.class_id) ? { pgpu: identity.id } : {}),
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

export function liveIn(id: PciAddress, lists: HideLists): HiddenIn {
  return { current: lists.current.has(id), pending: lists.pending.devices.has(id) };
}

export function statusIn(id: PciAddress, lists: HideLists): Dom0AccessStatus {
  return dom0AccessStatus(liveIn(id, lists));
}
