import { access, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';
import { blockDeviceAt } from './block-device-path.ts';
import { iscsiPaths } from './iscsi-nics.ts';
import type { NetworkSources } from './management-nics.ts';
import type { Found } from './safety-types.ts';
import { pciFunctionsOn, resolved } from '../sysfs-path.ts';

/** What dom0 cannot boot without. */
export const BOOT_MOUNTS = ['/', '/boot', '/boot/efi'] as const;

/** Where xapi's storage manager mounts a file-based local SR (EXT, XFS), by the SR's uuid. */
const SR_MOUNT = /^\/run\/sr-mount\/([^/]+)$/;

interface Mount {
  readonly device: string;
  readonly mountPoint: string;
  readonly source: string;
  readonly type: string;
}

/**
 * Every PCI function on the way to the disks under `/`, `/boot` and
 * `/boot/efi`, and under a local SR mounted in `/run/sr-mount`: the mount's block device, through device-mapper, md and LVM
 * (`slaves/`) down to the disks, each partition's path running through its disk;
 * for a boot disk on iSCSI, the NICs its target is reached through (`route`: `/proc/net/route`).
 */
export async function bootDevices(network: NetworkSources, mountinfo: string, route: string): Promise<Found> {
  let text: string;
  try {
    text = await readFile(mountinfo, 'utf8');
  } catch (error) {
    return {
      protections: [],
      problems: [
        `cannot read ${mountinfo} (${(error as NodeJS.ErrnoException).code ?? error}): boot devices are not protected`,
      ],
    };
  }
  const protections: { pci: PciAddress; protection: Protection }[] = [];
  const problems: string[] = [];
  for (const mount of parseMountinfo(text)) {
    const sr = SR_MOUNT.exec(mount.mountPoint)?.[1];
    if (!sr && !(BOOT_MOUNTS as readonly string[]).includes(mount.mountPoint)) continue;
    const starts = await mountedDevices(network.sysfs, mount);
    if (mount.type === 'zfs') {
      problems.push(
        `${mount.mountPoint} is on ZFS (${mount.source}): sysfs does not show a pool's disks, so they are not protected`,
      );
    }
    if (starts.length === 0) {
      // Network and pseudo file systems (an overlay, a tmpfs) have no block device to protect.
      if (!mount.device.startsWith('0:')) problems.push(`no block device ${mount.device} for ${mount.mountPoint}`);
      continue;
    }
    const disks = (await Promise.all(starts.map((start) => lowest(network.sysfs, start, 8)))).flat();
    const on = `${mount.source} on ${mount.mountPoint}${sr ? `, the local SR ${sr}` : ''}`;
    const protection: Protection = sr
      ? { reason: 'local_sr', detail: on + through(disks, mount.source), subject: localSrSubject(sr) }
      : { reason: 'boot_device', detail: on + through(disks, mount.source), subject: mount.source };
    for (const pci of await pciFunctionsOfDisks(disks)) protections.push({ pci, protection });
    if (sr) continue;
    for (const disk of disks) {
      const iscsi = await iscsiPaths(network, route, disk, mount.mountPoint);
      problems.push(...iscsi.problems);
      for (const { target, iface, nic, pci } of iscsi.paths) {
        const reached = nic === iface ? nic : `${nic}, under ${iface}`;
        const detail = `${protection.detail}, on iSCSI, its target ${target} reached through ${reached}`;
        protections.push(...pci.map((address) => ({ pci: address, protection: { ...protection, detail } })));
      }
    }
  }
  return { protections, problems };
}

/**
 * The block devices a mount sits on: its device, or for btrfs (an anonymous
 * `0:` device) the members of the file system whose `devices/` hold the source.
 */
async function mountedDevices(sysfs: string, mount: Mount): Promise<string[]> {
  const device = await resolved(join(sysfs, 'dev', 'block', mount.device));
  if (device) return [device];
  if (mount.type !== 'btrfs') return [];
  const filesystems = join(sysfs, 'fs', 'btrfs');
  for (const fsid of await readdir(filesystems).catch((): string[] => [])) {
    const members = await readdir(join(filesystems, fsid, 'devices')).catch((): string[] => []);
    if (!members.includes(basename(mount.source))) continue;
    const found = await Promise.all(members.map((member) => resolved(join(filesystems, fsid, 'devices', member))));
    return found.filter((d) => d !== null);
  }
  return [];
}

/**
 * The PCI functions of disks: on each disk's path, or for an NVMe multipath
 * head (`virtual/nvme-subsystem/nvme-subsysN/nvmeXnY`) on the paths of its
 * subsystem's controllers (the `nvmeX` links beside it).
 */
export async function pciFunctionsOfDisks(disks: readonly string[]): Promise<Set<PciAddress>> {
  const paths = await Promise.all(
    disks.map(async (disk) => {
      const subsystem = dirname(disk);
      if (!/^nvme-subsys\d+$/.test(basename(subsystem))) return [disk];
      const controllers = (await readdir(subsystem).catch((): string[] => [])).filter((e) => /^nvme\d+$/.test(e));
      const found = await Promise.all(controllers.map((c) => resolved(join(subsystem, c))));
      return found.filter((c) => c !== null);
    }),
  );
  return new Set(paths.flat().flatMap(pciFunctionsOn));
}

/** What XAPI's refusal says of a device behind a local SR. */
export const localSrSubject = (sr: string) => `the disks of the local storage repository ${sr} are behind it`;

/** How a device reaches its disks, unless it is the one disk it names. */
export function through(disks: readonly string[], source: string): string {
  const names = disks.map((disk) => basename(disk));
  return names.length === 1 && `/dev/${names[0]}` === source ? '' : ` through ${names.join(', ')}`;
}

/**
 * The block devices at the bottom of a stack (device-mapper, md, loop): those
 * with no `slaves/`. A partition has none of its own: a partition of an md or dm
 * device (`md127p1`) is stacked through its whole device, the directory above it.
 * A loop device is over what its `loop/backing_file` names: XCP-ng's
 * large-block SR (sm's LargeBlockSR.py, `_create_loopdev`) runs `losetup
 * --sector-size 512` over the disk itself, so a `/dev` path is followed to that
 * disk; a loop over a regular file stays the bottom, its file system unfollowed.
 */
export async function lowest(sysfs: string, device: string, depth: number): Promise<string[]> {
  const slavesOf = (dir: string) => readdir(join(dir, 'slaves')).catch((): string[] => []);
  let [stack, slaves] = [device, await slavesOf(device)];
  if (slaves.length === 0 && (await isPartition(device)))
    [stack, slaves] = [dirname(device), await slavesOf(dirname(device))];
  if (depth === 0) return [device];
  if (slaves.length === 0) {
    const backing = await loopBacking(sysfs, stack);
    return backing ? lowest(sysfs, backing, depth - 1) : [device];
  }
  const below = await Promise.all(slaves.map((slave) => resolved(join(stack, 'slaves', slave))));
  const found = await Promise.all(below.filter((d) => d !== null).map((d) => lowest(sysfs, d, depth - 1)));
  return found.flat();
}

/** The block device a loop device is over, when it is over one (the kernel's `loop/backing_file` is the path it was given, resolved). */
async function loopBacking(sysfs: string, device: string): Promise<string | null> {
  const file = (await readFile(join(device, 'loop', 'backing_file'), 'utf8').catch(() => '')).trim();
  return file.startsWith('/dev/') ? blockDeviceAt(sysfs, file) : null;
}

const isPartition = (device: string) =>
  access(join(device, 'partition')).then(
    () => true,
    () => false,
  );

/** `ID PARENT MAJOR:MINOR ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS` */
function parseMountinfo(text: string): Mount[] {
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .flatMap((fields) => {
      const dash = fields.indexOf('-', 6);
      const [device, mountPoint] = [fields[2], fields[4]];
      if (dash < 0 || !device || !mountPoint) return [];
      const [type = '', source = ''] = fields.slice(dash + 1);
      return [{ device, mountPoint: unescape(mountPoint), source: unescape(source), type }];
    });
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
const unescape = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
