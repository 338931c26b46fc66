import type { PciAddress } from '../../domain/pci-address.ts';
import { iommuFromXlInfo } from '../../domain/xl-info.ts';
import {
  devicesFromXlAssignableList,
  devicesFromXlPciList,
  guestsFromXlList,
  type Holder,
} from '../../domain/xl-lists.ts';
import { runProgram } from './run-program.ts';

export interface IommuReading {
  readonly iommu: boolean | null;
  /** Why the IOMMU cannot be known, when it cannot. */
  readonly unknown?: string;
}

/** Which devices pciback holds now (assignable to a guest), and which guest each passed-through one is given to. */
export interface XlFacts {
  readonly assignable: ReadonlySet<PciAddress>;
  readonly holders: ReadonlyMap<PciAddress, Holder>;
  /** Why they cannot be known, when they cannot: then both are empty. */
  readonly unknown?: string;
}

/** Why xl was not asked, and how to give it one: a simulated host has none unless told. */
export const NO_XL = 'no xl program is set: PASSTHRU_XL (--xl) names one; a simulated host has none unless it is set';

export const NO_XL_FACTS: XlFacts = { assignable: new Set(), holders: new Map(), unknown: 'not read yet' };

/** Xen's toolstack: `xl info` for the IOMMU, its lists for who holds what, and the hand-over of a device. */
export async function readIommu(program: string | null, timeoutMs: number): Promise<IommuReading> {
  if (program === null) return { iommu: null, unknown: NO_XL };
  try {
    const { stdout } = await runProgram(program, ['info'], timeoutMs);
    const iommu = iommuFromXlInfo(stdout);
    return iommu === null ? { iommu, unknown: `${program} info printed no virt_caps line` } : { iommu };
  } catch (error) {
    return { iommu: null, unknown: (error as Error).message };
  }
}

/** `xl pci-assignable-list`, `xl list`, then `xl pci-list` of each running guest. */
export async function readXlFacts(program: string | null, timeoutMs: number): Promise<XlFacts> {
  if (program === null) return { ...NO_XL_FACTS, unknown: NO_XL };
  try {
    const [assignable, guests] = await Promise.all([
      runProgram(program, ['pci-assignable-list'], timeoutMs),
      runProgram(program, ['list'], timeoutMs),
    ]);
    const holders = new Map<PciAddress, Holder>();
    const held = await Promise.all(
      guestsFromXlList(guests.stdout).map(async (guest) => ({
        guest,
        devices: devicesFromXlPciList((await runProgram(program, ['pci-list', String(guest.domid)], timeoutMs)).stdout),
      })),
    );
    for (const { guest, devices } of held) for (const id of devices) holders.set(id, guest);
    return { assignable: new Set(devicesFromXlAssignableList(assignable.stdout)), holders };
  } catch (error) {
    return { ...NO_XL_FACTS, unknown: (error as Error).message };
  }
}

/** `xl pci-assignable-add`: dom0's driver lets go of the device and pciback takes it. */
export async function assignableAdd(program: string, id: PciAddress, timeoutMs: number): Promise<void> {
  await runProgram(program, ['pci-assignable-add', id], timeoutMs);
}

/** `xl pci-assignable-remove -r`: pciback lets go, and the driver dom0 had before is bound again. */
export async function assignableRemove(program: string, id: PciAddress, timeoutMs: number): Promise<void> {
  await runProgram(program, ['pci-assignable-remove', '-r', id], timeoutMs);
}
