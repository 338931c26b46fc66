import { notFound } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import type { Config } from '../settings/config.ts';
import { openHost } from '../startup/passthru.ts';
import { statusIn } from '../read/records.ts';
import type { Flags, Output } from './cli-types.ts';
import { holderCell, holderIn, holdersLine } from './holder.ts';
import { table } from './table.ts';

/** Reads the host itself, so it answers even when the service is down. */
export async function statusCommand(
  config: Config,
  id: string | undefined,
  flags: Flags,
  out: Output,
): Promise<number> {
  const host = openHost(config);
  const wanted = id === undefined ? null : parsePciAddress(id);
  // The inventory first: the hide lists' wildcards are matched against it.
  const inventory = await host.inventory();
  const holders = await host.refreshHolders();
  const lists = await host.hideLists();
  const devices = inventory.filter((d) => wanted === null || d.id === wanted);
  if (wanted && devices.length === 0) throw notFound(`no PCI device ${wanted} on this host`);
  const rows = devices.map((d) => ({
    id: d.id,
    class_name: d.class_name,
    name: `${d.vendor_name} ${d.device_name}`,
    dom0_access: statusIn(d.id, lists),
    assigned_to: holderIn(holders, d.id),
  }));
  if (flags.json) {
    const json = rows.map((r) => ({ ...r, assigned_to: r.assigned_to ?? null, holder_known: holders.known }));
    out(JSON.stringify(wanted ? json[0] : json, null, 2));
    return 0;
  }
  for (const line of table(
    ['ID', 'DOM0 ACCESS', 'HOLDER', 'CLASS', 'DEVICE'],
    rows.map((r) => [r.id, r.dom0_access, holderCell(r.assigned_to), r.class_name, r.name]),
  )) {
    out(line);
  }
  for (const line of holdersLine(holders)) out(line);
  return 0;
}
