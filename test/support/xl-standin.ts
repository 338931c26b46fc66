import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An `xl` for a simulated host: `xl info` prints what a Xen host prints, with
 * the `virt_caps` given; anything else fails as the real one does without a toolstack.
 */
export class XlStandIn {
  readonly program: string;
  private readonly info: string;

  constructor(dir: string, virtCaps: string) {
    this.program = join(dir, 'xl');
    this.info = join(dir, 'xl-info.txt');
    writeFileSync(
      this.program,
      `#!/bin/sh\n[ "$1" = info ] || { echo "xl: unknown command $1" >&2; exit 1; }\nexec cat '${this.info}'\n`,
    );
    chmodSync(this.program, 0o755);
    this.virtCaps(virtCaps);
  }

  virtCaps(caps: string): void {
    writeFileSync(
      this.info,
      `host                   : simulated\nrelease                : 4.19.0\nvirt_caps              : ${caps}\nxen_version            : 4.17.4\n`,
    );
  }
}

export const WITH_IOMMU = 'pv hvm hvm_directio pv_directio hap shadow';
export const WITHOUT_IOMMU = 'pv hvm hap shadow';
