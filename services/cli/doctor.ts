import { hiddenIn } from '../../domain/dom0-access.ts';
import { PCIBACK, passthroughVerdict } from '../../domain/passthrough.ts';
import { protectedIds } from '../../domain/protection.ts';
import type { Config } from '../settings/config.ts';
import { openHost } from '../startup/passthru.ts';
import { statusIn } from '../read/records.ts';
import type { Flags, Output } from './cli-types.ts';
import { table } from './table.ts';

/**
 * Whether every device meant for passthrough could be given to a guest now:
 * read from the host itself, so it answers with the service down, and exits 1
 * when one could not, so a script or a monitoring check can gate on it.
 */
export async function doctorCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const host = openHost(config);
  // The inventory first: the hide lists' wildcards are matched against it.
  const inventory = await host.inventory();
  const [lists, safety, iommu] = await Promise.all([host.hideLists(), host.safety(inventory), host.iommu()]);
  const drivers = new Map(await Promise.all(inventory.map(async (d) => [d.id, await host.driver(d.id)] as const)));
  const driverOf = (id: (typeof inventory)[number]['id']) => drivers.get(id) ?? null;
  const needed = protectedIds(safety.devices).map((id) => ({ id, driver: driverOf(id) }));
  const devices = inventory
    .map((device) => {
      const status = statusIn(device.id, lists);
      const dependencies = (safety.devices.get(device.id)?.dependencies ?? []).map((id) => ({
        id,
        driver: driverOf(id),
      }));
      const driver = driverOf(device.id);
      const verdict = passthroughVerdict({ id: device.id, driver, status, dependencies, needed, iommu: iommu.iommu });
      return { id: device.id, name: `${device.vendor_name} ${device.device_name}`, status, driver, ...verdict };
    })
    .filter(({ status, driver }) => {
      const live = hiddenIn(status);
      return live.current || live.pending || driver === PCIBACK;
    });
  const healthy = devices.every((d) => d.problems.length === 0);
  if (flags.json) {
    out(JSON.stringify({ iommu: iommu.iommu, healthy, devices }, null, 2));
    return healthy ? 0 : 1;
  }
  out(`IOMMU: ${iommu.iommu === null ? `unknown (${iommu.unknown})` : iommu.iommu ? 'on' : 'OFF'}`);
  if (devices.length === 0) {
    out('No device is hidden from dom0 or held by pciback.');
    return 0;
  }
  out('');
  for (const line of table(
    ['ID', 'DOM0 ACCESS', 'DRIVER', 'PASSTHROUGH', 'DEVICE'],
    devices.map((d) => [
      d.id,
      d.status,
      d.driver ?? '-',
      d.ready ? 'ready' : d.problems.length > 0 ? 'PROBLEM' : 'after reboot',
      d.name,
    ]),
  )) {
    out(line);
  }
  const problems = devices.flatMap((d) => d.problems.map((p) => `  ${d.id} ${p.code}: ${p.detail}`));
  if (problems.length > 0) out(['', 'What to do:', ...problems].join('\n'));
  return healthy ? 0 : 1;
}
