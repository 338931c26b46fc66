// services/host/safety/: what dom0 needs to come back after a reboot (boot disks,
// local SR, management and iSCSI NICs, the system display) and what must move
// together, read from sysfs, mountinfo, the route table, ovs-vsctl and pvs. May import
// domain/ and the rest of host/ (sysfs paths, the PCI topology, running a program).
import { dependenciesOf } from '../../../domain/dependencies.ts';
import type { DeviceIdentity } from '../../../domain/device.ts';
import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';
import { bootDevices } from './boot-devices.ts';
import { lvmSrDevices } from './local-sr.ts';
import { managementNics } from './management-nics.ts';
import { readPciTopology } from '../pci-topology.ts';
import type { DeviceSafety, HostSafety, SafetyPaths } from './safety-types.ts';

/**
 * Reads, once an inventory, which devices dom0 needs to come back after a
 * reboot (boot disks, local SR disks, management NICs, the system display) and which devices
 * must move together.
 */
export async function readHostSafety(
  paths: SafetyPaths,
  inventory: readonly DeviceIdentity[],
  timeoutMs: number,
): Promise<HostSafety> {
  const network = { sysfs: paths.sysfs, ovsVsctl: paths.ovsVsctl, timeoutMs };
  const [topology, boot, lvmSr, management] = await Promise.all([
    readPciTopology(paths.sysfsPci, inventory),
    bootDevices(network, paths.mountinfo, paths.netRoute),
    lvmSrDevices({ sysfs: paths.sysfs, pvs: paths.pvs, timeoutMs }),
    managementNics(network, paths.xensourceInventory, paths.netRoute),
  ]);
  const protections = new Map<PciAddress, Protection[]>();
  const protect = (pci: PciAddress, protection: Protection) => {
    const list = protections.get(pci) ?? [];
    if (!list.some((p) => p.reason === protection.reason && p.detail === protection.detail)) list.push(protection);
    protections.set(pci, list);
  };
  for (const { pci, protection } of [...boot.protections, ...lvmSr.protections, ...management.protections]) {
    protect(pci, protection);
  }
  for (const pci of topology.bootVga) {
    protect(pci, {
      reason: 'system_display',
      detail: 'boot_vga: the display dom0 boots its console on',
      subject: `${pci} is the system display device`,
    });
  }
  const dependencies = dependenciesOf(topology.placements);
  const devices = new Map<PciAddress, DeviceSafety>();
  for (const { id } of inventory) {
    devices.set(id, { protections: protections.get(id) ?? [], dependencies: dependencies.get(id) ?? [] });
  }
  return { devices, problems: [...boot.problems, ...lvmSr.problems, ...management.problems] };
}
