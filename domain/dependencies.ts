import { comparePciAddresses, slotOf, type PciAddress } from './pci-address.ts';

/** Where a function sits on the host's PCI tree, as sysfs shows it. */
export interface PciPlacement {
  readonly id: PciAddress;
  /** The functions from the root bus down to this one, itself last. */
  readonly path: readonly PciAddress[];
  readonly bridge: boolean;
  /** Has a PCI Express capability; a function without one sits on a conventional PCI bus. */
  readonly express: boolean;
  /** Members of its IOMMU group, itself included; null where the kernel shows none (dom0 under Xen). */
  readonly iommuGroup: readonly PciAddress[] | null;
  /** The physical function it is an SR-IOV virtual function of (its `physfn` link); null for any other function. */
  readonly physfn: PciAddress | null;
}

/**
 * The functions that must go with each device for passthrough to work: the
 * other functions of its slot, the other members of its IOMMU group, and,
 * for a conventional PCI device, the others behind the same bridge (they share
 * its requester id, which is all the IOMMU sees; under Xen dom0 has no IOMMU
 * groups to say so). Bridges are never listed, and list none: they stay with dom0.
 * SR-IOV virtual functions are made to be assigned one by one, so none goes
 * with its physical function or with another virtual function, even where ARI
 * puts them all in the physical function's slot.
 */
export function dependenciesOf(placements: readonly PciPlacement[]): Map<PciAddress, PciAddress[]> {
  const endpoints = placements.filter((p) => !p.bridge);
  const result = new Map<PciAddress, PciAddress[]>();
  for (const device of placements) {
    if (device.bridge) {
      result.set(device.id, []);
      continue;
    }
    const group = new Set(device.iommuGroup ?? []);
    const bridge = device.express ? undefined : device.path.at(-2);
    const found = endpoints.filter(
      (other) =>
        other.id !== device.id &&
        !apartBySriov(device, other) &&
        (slotOf(other.id) === slotOf(device.id) ||
          group.has(other.id) ||
          (bridge !== undefined && !other.express && other.path.at(-2) === bridge)),
    );
    result.set(device.id, found.map((p) => p.id).sort(comparePciAddresses));
  }
  return result;
}

const apartBySriov = (a: PciPlacement, b: PciPlacement) =>
  (a.physfn !== null && b.physfn !== null) || a.physfn === b.id || b.physfn === a.id;

/**
 * What a change leaves undone for passthrough: each device pending hidden
 * whose dependencies stay with dom0. `subjects` are the devices to look at:
 * those just hidden, or those depending on devices just given back.
 */
export function dependencyWarnings(
  subjects: Iterable<PciAddress>,
  pendingHidden: ReadonlySet<PciAddress>,
  dependencies: (id: PciAddress) => readonly PciAddress[],
): string[] {
  const warnings: string[] = [];
  for (const id of new Set(subjects)) {
    if (!pendingHidden.has(id)) continue;
    const left = dependencies(id).filter((other) => !pendingHidden.has(other));
    if (left.length === 0) continue;
    const they = left.length === 1 ? 'it stays' : 'they stay';
    warnings.push(
      `${id} must move with ${left.join(', ')}, but ${they} with dom0: hide ${left.length === 1 ? 'it' : 'them'} too for passthrough of ${id} to work`,
    );
  }
  return warnings;
}
