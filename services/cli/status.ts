import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { notFound } from '../../domain/errors.ts';
import type { Holder } from '../../domain/holders.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import type { Config } from '../settings/config.ts';
import { openHost } from '../startup/passthru.ts';
import { runningService } from '../startup/runtime-file.ts';
import { statusIn, type PciRecord } from '../read/records.ts';
import type { Flags, Output } from './cli-types.ts';
import { holderCell, holderIn, holdersLine, type HoldersKnown } from './holder.ts';
import { callService } from './service-client.ts';
import { table } from './table.ts';

interface StatusRow {
  readonly id: string;
  readonly class_name: string;
  readonly name: string;
  readonly dom0_access: Dom0AccessStatus;
  /** Undefined when who holds it cannot be known. */
  readonly assigned_to: Holder | null | undefined;
}

interface StatusView {
  readonly rows: StatusRow[];
  readonly holders: HoldersKnown;
}

/**
 * Asks the running service of this data dir, which reads the host with its
 * own settings; reads the host itself, with this CLI's settings, only when
 * no service runs, and says so on standard error.
 */
export async function statusCommand(
  config: Config,
  id: string | undefined,
  flags: Flags,
  out: Output,
): Promise<number> {
  const wanted = id === undefined ? null : parsePciAddress(id);
  const service = runningService(config.runtimeDir);
  const { rows, holders } =
    service !== null && service.data_dir === config.dataDir
      ? await askService(config, wanted)
      : await readHost(config, wanted);
  if (service === null) {
    process.stderr.write(
      `passthru status: no passthru service is running: read from the host directly, with this CLI's settings\n`,
    );
  }
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

async function askService(config: Config, wanted: string | null): Promise<StatusView> {
  const [records, host] = await Promise.all([
    wanted
      ? callService(config, 'GET', `/v1/pcis/${wanted}`).then((record) => [record as PciRecord])
      : (callService(config, 'GET', '/v1/pcis') as Promise<PciRecord[]>),
    callService(config, 'GET', '/v1/host') as Promise<{ holders: HoldersKnown }>,
  ]);
  return {
    rows: records.map((r) => ({
      id: r.id,
      class_name: r.class_name,
      name: `${r.vendor_name} ${r.device_name}`,
      dom0_access: r.dom0_access,
      assigned_to: host.holders.known ? r.assigned_to : undefined,
    })),
    holders: host.holders,
  };
}

async function readHost(config: Config, wanted: string | null): Promise<StatusView> {
  const host = openHost(config);
  // The inventory first: the hide lists' wildcards are matched against it.
  const inventory = await host.inventory();
  const holders = await host.refreshHolders();
  const lists = await host.hideLists();
  const devices = inventory.filter((d) => wanted === null || d.id === wanted);
  if (wanted && devices.length === 0) throw notFound(`no PCI device ${wanted} on this host`);
  return {
    rows: devices.map((d) => ({
      id: d.id,
      class_name: d.class_name,
      name: `${d.vendor_name} ${d.device_name}`,
      dom0_access: statusIn(d.id, lists),
      assigned_to: holderIn(holders, d.id),
    })),
    holders,
  };
}
