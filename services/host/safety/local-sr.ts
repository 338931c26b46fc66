import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';
import { localSrSubject, lowest, pciFunctionsOfDisks, through } from './boot-devices.ts';
import type { Found } from './safety-types.ts';
import { resolved } from '../sysfs-path.ts';

const VG_PREFIX = 'VG_XenStorage-';

/**
 * The PCI functions under an LVM local SR, which is never mounted: the
 * device-mapper volumes of its volume group `VG_XenStorage-<uuid>`, followed
 * down to the disks. Only active volumes are in sysfs; an attached SR keeps
 * at least its MGT volume active.
 */
export async function lvmSrDevices(sysfs: string): Promise<Found> {
  const block = join(sysfs, 'dev', 'block');
  const protections: { pci: PciAddress; protection: Protection }[] = [];
  for (const dev of await readdir(block).catch((): string[] => [])) {
    const device = await resolved(join(block, dev));
    const group = device ? volumeGroup(await readFile(join(device, 'dm', 'name'), 'utf8').catch(() => '')) : null;
    if (!device || !group?.startsWith(VG_PREFIX)) continue;
    const sr = group.slice(VG_PREFIX.length);
    const disks = await lowest(device, 8);
    const protection: Protection = {
      reason: 'local_sr',
      detail: `${group}, the local SR ${sr}${through(disks, '')}`,
      subject: localSrSubject(sr),
    };
    for (const pci of await pciFunctionsOfDisks(disks)) protections.push({ pci, protection });
  }
  return { protections, problems: [] };
}

/** device-mapper names a logical volume `VG-LV`, each with its own dashes doubled. */
function volumeGroup(dmName: string): string | null {
  const group = /^((?:[^-]|--)+)-/.exec(dmName.trim())?.[1];
  return group ? group.replace(/--/g, '-') : null;
}
