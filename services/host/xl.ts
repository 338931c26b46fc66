import { iommuFromXlInfo } from '../../domain/xl-info.ts';
import { runProgram } from './run-program.ts';

export interface IommuReading {
  readonly iommu: boolean | null;
  /** Why the IOMMU cannot be known, when it cannot. */
  readonly unknown?: string;
}

/** Xen's toolstack; only `xl info` is asked, for the host's IOMMU. */
export async function readIommu(program: string | null, timeoutMs: number): Promise<IommuReading> {
  if (program === null) return { iommu: null, unknown: 'no xl program is set' };
  try {
    const { stdout } = await runProgram(program, ['info'], timeoutMs);
    const iommu = iommuFromXlInfo(stdout);
    return iommu === null ? { iommu, unknown: `${program} info printed no virt_caps line` } : { iommu };
  } catch (error) {
    return { iommu: null, unknown: (error as Error).message };
  }
}
