import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { Protection } from '../../domain/protection.ts';
import type { Found } from './safety-types.ts';
import { pciFunctionsOn, resolved } from './sysfs-path.ts';

/**
 * The NICs dom0 is reached through: XenServer's `MANAGEMENT_INTERFACE` where
 * the inventory names one, else the interface of the default route; a bridge
 * resolved to its ports, a bond to its slaves, a VLAN to the device below.
 */
export async function managementNics(sysfs: string, inventory: string, route: string): Promise<Found> {
  const named = await managementInterface(inventory);
  const interfaces = named ? [named] : await defaultRouteInterfaces(route);
  if (interfaces.length === 0) {
    return { protections: [], problems: [`no management interface in ${inventory} and no default route in ${route}`] };
  }
  const protections = [];
  const problems: string[] = [];
  for (const management of interfaces) {
    const nics = await physical(join(sysfs, 'class', 'net'), management, 8);
    if (nics.length === 0) problems.push(`the management interface ${management} leads to no PCI device`);
    for (const { name, pci } of nics) {
      const role = named ? 'the management interface' : 'the interface of the default route';
      const detail = name === management ? `${name}, ${role}` : `${name}, under ${management}, ${role}`;
      const protection: Protection = { reason: 'management_interface', detail, subject: management };
      protections.push(...pci.map((address) => ({ pci: address, protection })));
    }
  }
  return { protections, problems };
}

async function managementInterface(inventory: string): Promise<string | null> {
  const text = await readFile(inventory, 'utf8').catch(() => '');
  const name = /^MANAGEMENT_INTERFACE='?([^'\n]*)'?$/m.exec(text)?.[1]?.trim();
  return name ? name : null;
}

/** `/proc/net/route`: a header, then `Iface Destination Gateway Flags RefCnt Use Metric Mask ...` in hex. */
async function defaultRouteInterfaces(route: string): Promise<string[]> {
  const text = await readFile(route, 'utf8').catch(() => '');
  const defaults = text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1] === '00000000' && fields[7] === '00000000' && fields[0]);
  return [...new Set(defaults.map((fields) => fields[0]!))];
}

/** The interfaces with a PCI device under a network interface: itself, or its bridge ports, bond slaves, lower devices. */
async function physical(net: string, name: string, depth: number): Promise<{ name: string; pci: PciAddress[] }[]> {
  const dir = join(net, name);
  const below = [
    ...(await readdir(join(dir, 'brif')).catch(() => [])),
    ...(await readFile(join(dir, 'bonding', 'slaves'), 'utf8').then(
      (t) => t.trim().split(/\s+/).filter(Boolean),
      () => [],
    )),
    ...(await readdir(dir).catch(() => [])).filter((e) => e.startsWith('lower_')).map((e) => e.slice('lower_'.length)),
  ];
  if (below.length > 0 && depth > 0) {
    const found = await Promise.all([...new Set(below)].map((lower) => physical(net, lower, depth - 1)));
    return found.flat();
  }
  const real = await resolved(dir);
  const pci = real ? pciFunctionsOn(real) : [];
  return pci.length > 0 ? [{ name, pci }] : [];
}
