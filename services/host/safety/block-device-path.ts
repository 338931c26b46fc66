import { readdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolved } from '../sysfs-path.ts';

/**
 * The sysfs directory of the block device a `/dev` path names, or null. The
 * path is resolved first on this host (a `/dev/disk/by-id` link, and
 * `/dev/mapper/NAME`, which udev links to `../dm-N`); a device-mapper name
 * still unresolved is looked for by its `dm/name`, any other by the kernel's
 * name under `class/block`, where the kernel lists every disk and partition.
 */
export async function blockDeviceAt(sysfs: string, path: string): Promise<string | null> {
  const real = await realpath(path).catch(() => path);
  if (dirname(real) === '/dev/mapper') return deviceMapperNamed(sysfs, basename(real));
  return resolved(join(sysfs, 'class', 'block', basename(real)));
}

async function deviceMapperNamed(sysfs: string, name: string): Promise<string | null> {
  const block = join(sysfs, 'dev', 'block');
  for (const dev of await readdir(block).catch((): string[] => [])) {
    const device = await resolved(join(block, dev));
    const dmName = device ? await readFile(join(device, 'dm', 'name'), 'utf8').catch(() => '') : '';
    if (dmName.trim() === name) return device;
  }
  return null;
}
