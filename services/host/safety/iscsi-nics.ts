import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PciAddress } from '../../../domain/pci-address.ts';
import { type NetworkSources, nicsUnder } from './management-nics.ts';
import { interfaceTo, readRoutes } from './net-route.ts';
import { pciFunctionsOn } from '../sysfs-path.ts';

/** A NIC dom0 reaches an iSCSI target through, and how: the target's address and the interface routed to it. */
export interface IscsiPath {
  readonly target: string;
  readonly iface: string;
  readonly nic: string;
  readonly pci: readonly PciAddress[];
}

/**
 * The NICs the software iSCSI initiator reaches a disk's target through: the
 * addresses of the session's connections, routed as the kernel routes them
 * (`/proc/net/route`), the interface followed down to its NICs. A disk on no
 * session, or on one under an offloading HBA's PCI function (already on its
 * path), needs none. What cannot be resolved is a problem naming `mountPoint`.
 */
export async function iscsiPaths(
  network: NetworkSources,
  route: string,
  disk: string,
  mountPoint: string,
): Promise<{ paths: IscsiPath[]; problems: string[] }> {
  const session = sessionOf(disk);
  if (session === null || pciFunctionsOn(disk).length > 0) return { paths: [], problems: [] };
  const on = `${mountPoint} is on the iSCSI disk ${basename(disk)}`;
  const targets = await targetAddresses(session);
  if (targets.length === 0) {
    return {
      paths: [],
      problems: [
        `${on}, and ${basename(session)} shows no target address, so the NICs that reach its target are not protected`,
      ],
    };
  }
  const routes = await readRoutes(route);
  const paths: IscsiPath[] = [];
  const problems: string[] = [];
  for (const target of targets) {
    const iface = interfaceTo(routes, target);
    if (iface === null) {
      problems.push(
        `${on}, and no IPv4 route in ${route} reaches its target ${target}, so the NICs that reach it are not protected`,
      );
      continue;
    }
    const { nics, problem } = await nicsUnder(network, iface);
    if (problem) problems.push(`${on}, its target ${target} reached through ${iface}, and ${problem}`);
    paths.push(...nics.map(({ name, pci }) => ({ target, iface, nic: name, pci })));
  }
  return { paths, problems };
}

/** The iSCSI session directory a disk's sysfs path runs through (`.../host3/session1/target3:0:0/...`), if any. */
function sessionOf(disk: string): string | null {
  const parts = disk.split('/');
  const at = parts.findIndex((part) => /^session\d+$/.test(part));
  return at < 0 ? null : parts.slice(0, at + 1).join('/');
}

/**
 * The portals a session's connections reach: `address`, the one connected
 * now (a target may redirect), and `persistent_address`, the one logged in
 * to at boot. Each connection `connectionS:C` sits in its session, its
 * attributes in its `iscsi_connection` class device.
 */
async function targetAddresses(session: string): Promise<string[]> {
  const connections = (await readdir(session).catch((): string[] => [])).filter((e) => /^connection\d+:\d+$/.test(e));
  const found = await Promise.all(
    connections.flatMap((c) =>
      ['address', 'persistent_address'].map((attribute) =>
        readFile(join(session, c, 'iscsi_connection', c, attribute), 'utf8').then(
          (text) => text.trim(),
          () => '',
        ),
      ),
    ),
  );
  return [...new Set(found.filter(Boolean))];
}
