import { hiddenIn } from '../../domain/dom0-access.ts';
import { PCIBACK, passthroughVerdict } from '../../domain/passthrough.ts';
import { protectedIds } from '../../domain/protection.ts';
import type { Config } from '../settings/config.ts';
import { openHost } from '../startup/passthru.ts';
import { statusIn, unheededIn } from '../read/records.ts';
import type { Flags, Output } from './cli-types.ts';
import { holderCell, holderIn, holdersLine } from './holder.ts';
import { table, visible } from './table.ts';
import { PassthruError } from '../../domain/errors.ts';
import type { NextBootVerdict } from '../../domain/next-boot.ts';
import type { Host } from '../host/host.ts';
import type { HostSafety } from '../host/safety/safety-types.ts';
import { nextBootVerdict } from '../read/next-boot.ts';
import { preflightLines, readPreflight } from './preflight.ts';

/**
 * Whether every device meant for passthrough could be given to a guest now:
 * read from the host itself, so it answers with the service down, and exits 1
 * when one could not, so a script or a monitoring check can gate on it.
 */
export async function doctorCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const host = openHost(config);
  // The inventory first: the hide lists' wildcards are matched against it.
  const inventory = await host.inventory();
  const holders = await host.refreshHolders();
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
      const verdict = passthroughVerdict({
        id: device.id,
        driver,
        status,
        dependencies,
        needed,
        iommu: iommu.iommu,
        bootHidden: lists.current.has(device.id),
        unheeded: unheededIn(device.id, lists),
        cut: lists.running.cut,
        holderUnknown: holders.known ? null : holders.detail,
        // The CLI reads the host alone: what an earlier give-back left is the service's to say.
        leftWithoutDriver: false,
        pciBus: host.pciBus,
      });
      const assigned_to = holderIn(holders, device.id);
      return {
        id: device.id,
        name: `${device.vendor_name} ${device.device_name}`,
        status,
        driver,
        assigned_to,
        ...verdict,
      };
    })
    .filter(({ status, driver, problems }) => {
      const live = hiddenIn(status);
      return live.current || live.pending || driver === PCIBACK || problems.length > 0;
    });
  const hideLists = [...lists.running.problems, ...lists.pending.problems];
  const nextBoot = await preflightOf(config, host, safety);
  const cut = lists.running.cut;
  const healthy =
    hideLists.length === 0 && devices.every((d) => d.problems.length === 0) && nextBoot.verdict.ok && cut === null;
  if (flags.json) {
    out(
      JSON.stringify(
        {
          iommu: iommu.iommu,
          holders: holders.known ? { known: true } : { known: false, detail: holders.detail },
          healthy,
          hide_list_problems: hideLists,
          safety_problems: safety.problems,
          running_line_cut: cut,
          next_boot: nextBoot.verdict,
          devices: devices.map((d) => ({ ...d, assigned_to: d.assigned_to ?? null })),
        },
        null,
        2,
      ),
    );
    return healthy ? 0 : 1;
  }
  out(`IOMMU: ${iommu.iommu === null ? `unknown (${visible(iommu.unknown ?? '')})` : iommu.iommu ? 'on' : 'OFF'}`);
  if (cut) out(`Running dom0 line cut by Xen (${cut.hide_list}): ${visible(cut.detail)}`);
  for (const line of preflightLines(nextBoot.verdict)) out(visible(line));
  if (nextBoot.note) out(visible(nextBoot.note));
  for (const line of holdersLine(holders)) out(visible(line));
  for (const problem of hideLists) out(`Hide list (${problem.list}) ${problem.code}: ${visible(problem.detail)}`);
  // Not a passthrough problem, so not in the exit code: a hide of an unprotected device dom0 needs is not refused.
  if (safety.problems.length > 0) {
    out(
      ['Protection of the devices dom0 needs is incomplete:', ...safety.problems.map((p) => `  ${visible(p)}`)].join(
        '\n',
      ),
    );
  }
  if (devices.length === 0) {
    out('No device is hidden from dom0 or held by pciback.');
    return healthy ? 0 : 1;
  }
  out('');
  for (const line of table(
    ['ID', 'DOM0 ACCESS', 'DRIVER', 'PASSTHROUGH', 'HOLDER', 'DEVICE'],
    devices.map((d) => [
      d.id,
      d.status,
      d.driver ?? '-',
      d.ready ? 'ready' : d.problems.length > 0 ? 'PROBLEM' : 'after reboot',
      holderCell(d.assigned_to),
      d.name,
    ]),
  )) {
    out(line);
  }
  const problems = devices.flatMap((d) => d.problems.map((p) => `  ${d.id} ${p.code}: ${visible(p.detail)}`));
  if (problems.length > 0) out(['', 'What to do:', ...problems].join('\n'));
  return healthy ? 0 : 1;
}

/**
 * The preflight as the running service answers it, with the hardware each
 * hide recorded; with no service running, from the host alone, the recorded
 * hardware (in the store) unchecked.
 */
async function preflightOf(
  config: Config,
  host: Host,
  safety: HostSafety,
): Promise<{ verdict: NextBootVerdict; note: string | null }> {
  try {
    return { verdict: await readPreflight(config), note: null };
  } catch (error) {
    if (!(error instanceof PassthruError && error.details.unreachable)) throw error;
  }
  const verdict = await nextBootVerdict(host, {
    protections: (id) => safety.devices.get(id)?.protections ?? [],
    hiddenHardware: () => ({ recorded: null, found: null }),
  });
  return {
    verdict,
    note: 'No service is running: whether a hidden device was replaced (device_changed) is not checked',
  };
}
