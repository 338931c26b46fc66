import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PciPlacement } from '../../domain/dependencies.ts';
import { isBridgeClass, type DeviceIdentity } from '../../domain/device.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { pciFunctionsOn, resolved } from './sysfs-path.ts';

export interface PciTopology {
  readonly placements: readonly PciPlacement[];
  /** The functions the firmware booted the console on (`boot_vga` = 1). */
  readonly bootVga: readonly PciAddress[];
}

/** Where each device of the inventory sits, from its `bus/pci/devices` link into `devices/`. */
export async function readPciTopology(sysfsPci: string, devices: readonly DeviceIdentity[]): Promise<PciTopology> {
  const read = await Promise.all(devices.map((device) => readPlacement(sysfsPci, device)));
  return {
    placements: read.map((r) => r.placement),
    bootVga: read.filter((r) => r.bootVga).map((r) => r.placement.id),
  };
}

async function readPlacement(sysfsPci: string, device: DeviceIdentity) {
  const dir = join(sysfsPci, device.id);
  const real = (await resolved(dir)) ?? dir;
  const onPath = pciFunctionsOn(real);
  const [express, iommuGroup, physfn, bootVga] = await Promise.all([
    // The link attributes exist only for a function with a PCI Express capability.
    exists(join(dir, 'current_link_speed')),
    members(join(dir, 'iommu_group', 'devices')),
    resolved(join(dir, 'physfn')).then((pf) => (pf === null ? null : (pciFunctionsOn(pf).at(-1) ?? null))),
    readFile(join(dir, 'boot_vga'), 'utf8').then(
      (text) => text.trim() === '1',
      () => false,
    ),
  ]);
  const placement: PciPlacement = {
    id: device.id,
    path: onPath.at(-1) === device.id ? onPath : [...onPath, device.id],
    bridge: isBridgeClass(device.class_id),
    express,
    iommuGroup,
    physfn,
  };
  return { placement, bootVga };
}

async function members(dir: string): Promise<PciAddress[] | null> {
  try {
    return pciFunctionsOn((await readdir(dir)).join('/'));
  } catch {
    return null;
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
