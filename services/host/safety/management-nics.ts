import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PciAddress } from '../../../domain/pci-address.ts';
import type { Protection } from '../../../domain/protection.ts';
import { defaultRouteInterfaces, readRoutes } from './net-route.ts';
import { ovsBridge } from './ovs-vsctl.ts';
import type { Found } from './safety-types.ts';
import { pciFunctionsOn, resolved } from '../sysfs-path.ts';

/** Where to look for what is under a network interface. */
export interface NetworkSources {
  readonly sysfs: string;
  /** Open vSwitch's ovs-vsctl; null when there is none to ask. */
  readonly ovsVsctl: string | null;
  readonly timeoutMs: number;
}

/** A network interface with a PCI device, and the PCI functions on its path. */
export interface Nic {
  readonly name: string;
  readonly pci: readonly PciAddress[];
}

/**
 * The NICs dom0 is reached through: XenServer's `MANAGEMENT_INTERFACE` where
 * the inventory names one, else the interface of the default route.
 */
export async function managementNics(sources: NetworkSources, inventory: string, route: string): Promise<Found> {
  const named = await managementInterface(inventory);
  const interfaces = named ? [named] : defaultRouteInterfaces(await readRoutes(route));
  if (interfaces.length === 0) {
    return { protections: [], problems: [`no management interface in ${inventory} and no default route in ${route}`] };
  }
  const role = named ? 'the management interface' : 'the interface of the default route';
  const protections = [];
  const problems: string[] = [];
  for (const management of interfaces) {
    const { nics, problem } = await nicsUnder(sources, management);
    if (problem) problems.push(`the management interface ${problem}`);
    for (const { name, pci } of nics) {
      const detail = name === management ? `${name}, ${role}` : `${name}, under ${management}, ${role}`;
      const protection: Protection = { reason: 'management_interface', detail, subject: management };
      protections.push(...pci.map((address) => ({ pci: address, protection })));
    }
  }
  return { protections, problems };
}

/**
 * The NICs under an interface: itself, or its bridge ports, bond slaves and
 * lower devices as the kernel links them; an Open vSwitch bridge links none
 * (its ports hang under the datapath `ovs-system`), so Open vSwitch is asked.
 * With none found, the problem names the interface and why.
 */
export async function nicsUnder(
  sources: NetworkSources,
  name: string,
): Promise<{ nics: Nic[]; problem: string | null }> {
  const net = join(sources.sysfs, 'class', 'net');
  const nics = await physical(net, name, 8);
  if (nics.length > 0) return { nics, problem: null };
  const none = `${name} leads to no PCI device`;
  if (!(await exists(join(net, 'ovs-system')))) return { nics, problem: none };
  if (sources.ovsVsctl === null) {
    return {
      nics,
      problem: `${none} in sysfs, and no ovs-vsctl is set to ask Open vSwitch (ovs-system) for its ports`,
    };
  }
  try {
    const { bridge, interfaces } = await ovsBridge(sources.ovsVsctl, name, sources.timeoutMs);
    const below = (await Promise.all(interfaces.map((port) => physical(net, port, 8)))).flat();
    const listed = interfaces.length > 0 ? interfaces.join(', ') : 'no interface';
    return { nics: below, problem: below.length > 0 ? null : `${none}: Open vSwitch has ${listed} on ${bridge}` };
  } catch (error) {
    return {
      nics,
      problem: `${none} in sysfs, and Open vSwitch cannot say what is under it: ${(error as Error).message}`,
    };
  }
}

async function managementInterface(inventory: string): Promise<string | null> {
  const text = await readFile(inventory, 'utf8').catch(() => '');
  const name = /^MANAGEMENT_INTERFACE='?([^'\n]*)'?$/m.exec(text)?.[1]?.trim();
  return name ? name : null;
}

/** The interfaces with a PCI device under a network interface: itself, or its bridge ports, bond slaves, lower devices. */
async function physical(net: string, name: string, depth: number): Promise<Nic[]> {
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

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
