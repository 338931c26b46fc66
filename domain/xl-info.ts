/**
 * Whether `xl info` says Xen can pass devices through: `virt_caps` lists
 * `hvm_directio` when the IOMMU is on. Null when the output has no
 * `virt_caps` line, so an unknown is never reported as a missing IOMMU.
 */
export function iommuFromXlInfo(output: string): boolean | null {
  for (const line of output.split('\n')) {
    const match = /^\s*virt_caps\s*:(.*)$/.exec(line);
    if (match) return match[1]!.trim().split(/\s+/).includes('hvm_directio');
  }
  return null;
}
