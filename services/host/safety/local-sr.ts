import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';
import { blockDeviceAt } from './block-device-path.ts';
import { localSrSubject, lowest, pciFunctionsOfDisks, through } from './boot-devices.ts';
import { physicalVolumes } from './lvm-pvs.ts';
import type { Found } from './safety-types.ts';
import { resolved } from '../sysfs-path.ts';

const VG_PREFIX = 'VG_XenStorage-';

/** Where the physical volumes of the volume groups are learnt: sysfs, and LVM when there is a `pvs` to ask. */
export interface LvmSources {
  readonly sysfs: string;
  /** lvm2's `pvs`; null when there is none to ask. */
  readonly pvs: string | null;
  readonly timeoutMs: number;
}

/**
 * The PCI functions under an LVM local SR, which is never mounted: the disks
 * of every physical volume of its volume group `VG_XenStorage-<uuid>`. sysfs
 * shows those under an active volume (`slaves/` of its device-mapper device;
 * an attached SR keeps its MGT volume active), not a physical volume no active
 * volume uses, such as the second disk of an SR whose VDIs are all detached:
 * `pvs` names every one. Without it, an SR seen in sysfs is a problem, as
 * its other disks may go unprotected.
 */
export async function lvmSrDevices(sources: LvmSources): Promise<Found> {
  const groups = await activeGroups(sources.sysfs);
  const problems: string[] = [];
  if (sources.pvs === null) {
    for (const group of groups.keys()) {
      problems.push(
        `${group}: only the disks under its active volumes are known, and no pvs is set (PASSTHRU_PVS) to ask LVM for its other physical volumes`,
      );
    }
  } else {
    try {
      for (const { name, group } of await physicalVolumes(sources.pvs, sources.timeoutMs)) {
        if (!group.startsWith(VG_PREFIX)) continue;
        const device = name.startsWith('/') ? await blockDeviceAt(sources.sysfs, name) : null;
        if (device === null) {
          problems.push(
            `${group}: LVM names a physical volume ${name} that sysfs does not show, so its disk is not protected`,
          );
          continue;
        }
        groups.set(group, [...(groups.get(group) ?? []), device]);
      }
    } catch (error) {
      problems.push(
        `LVM cannot say which disks the local SRs are on (${(error as Error).message}): only the disks under their active volumes are protected`,
      );
    }
  }
  const protections: { pci: PciAddress; protection: Protection }[] = [];
  for (const [group, devices] of groups) {
    const sr = group.slice(VG_PREFIX.length);
    const found = await Promise.all(devices.map((device) => lowest(sources.sysfs, device, 8)));
    const disks = [...new Set(found.flat())].sort((a, b) => basename(a).localeCompare(basename(b)));
    const protection: Protection = {
      reason: 'local_sr',
      detail: `${group}, the local SR ${sr}${through(disks, '')}`,
      subject: localSrSubject(sr),
    };
    for (const pci of await pciFunctionsOfDisks(disks)) protections.push({ pci, protection });
  }
  return { protections, problems };
}

/** The SR volume groups with an active volume, each with the device-mapper devices of its active volumes. */
async function activeGroups(sysfs: string): Promise<Map<string, string[]>> {
  const block = join(sysfs, 'dev', 'block');
  const groups = new Map<string, string[]>();
  for (const dev of await readdir(block).catch((): string[] => [])) {
    const device = await resolved(join(block, dev));
    const group = device ? volumeGroup(await readFile(join(device, 'dm', 'name'), 'utf8').catch(() => '')) : null;
    if (!device || !group?.startsWith(VG_PREFIX)) continue;
    groups.set(group, [...(groups.get(group) ?? []), device]);
  }
  return groups;
}

/** device-mapper names a logical volume `VG-LV`, each with its own dashes doubled. */
function volumeGroup(dmName: string): string | null {
  const group = /^((?:[^-]|--)+)-/.exec(dmName.trim())?.[1];
  return group ? group.replace(/--/g, '-') : null;
}
