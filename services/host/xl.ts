import type { PciAddress } from '../../domain/pci-address.ts';
import { iommuFromXlInfo } from '../../domain/xl-info.ts';
import { runProgram } from './run-program.ts';

export interface IommuReading {
  readonly iommu: boolean | null;
  /** Why the IOMMU cannot be known, when it cannot. */
  readonly unknown?: string;
}

/**
 * Why xl was not asked, and how to give it one: a simulated host has the
 * twin's unless it reads a PCI bus of its own naming, or xl is turned off.
 */
export const NO_XL =
  'no xl program is set: PASSTHRU_XL (--xl) names one; a simulated host has the twin’s unless PASSTHRU_SYSFS_PCI names its devices or PASSTHRU_XL is none';

/** Xen's toolstack: `xl info` for the IOMMU, and libxl's hand-over of a device. Who holds what is read from xenstore. */
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

/** `xl pci-assignable-add`: dom0's driver lets go of the device and pciback takes it. */
export async function assignableAdd(program: string, id: PciAddress, timeoutMs: number): Promise<void> {
  await runProgram(program, ['pci-assignable-add', id], timeoutMs);
}

/**
 * `xl pci-assignable-remove -r`: Xen de-quarantines the device, pciback lets
 * go, and the driver libxl saved when it handed the device over is bound
 * again; with none saved it warns "not rebinding" and leaves no driver
 * (libxl__device_pci_assignable_remove, tools/libs/light/libxl_pci.c).
 */
export async function assignableRemove(program: string, id: PciAddress, timeoutMs: number): Promise<void> {
  await runProgram(program, ['pci-assignable-remove', '-r', id], timeoutMs);
}
