import { invalidInput, PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import type { Config } from '../settings/config.ts';
import { rebootSimulatedHost } from '../host/simulated-host.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';

interface Changed {
  readonly record: { readonly id: string; readonly dom0_access: string };
  readonly changed: boolean;
}

/**
 * Changes go through the running service, so its lane serialises them and its
 * log records them. One id goes to the device's route, several to the batch
 * route: one boot configuration edit for all.
 */
export async function commandThroughService(
  config: Config,
  name: 'hide' | 'unhide',
  ids: readonly string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const pcis = ids.map(parsePciAddress);
  const reason = typeof flags.reason === 'string' ? flags.reason : undefined;
  const options = {
    ...(reason ? { reason } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.now ? { apply: 'now' } : {}),
  };
  const [single] = pcis;
  const body =
    pcis.length === 1
      ? await callService(config, 'POST', `/v1/pcis/${single}/${name}`, options)
      : await callService(config, 'POST', `/v1/pcis/${name}`, { ids: pcis, ...options });
  if (flags.json) {
    out(JSON.stringify(body, null, 2));
    return 0;
  }
  const answer = body as { warnings: string[] } & (Changed['record'] & { changed: boolean });
  const results: Changed[] =
    pcis.length === 1 ? [{ record: answer, changed: answer.changed }] : (body as { results: Changed[] }).results;
  for (const { record, changed } of results) {
    out(
      changed ? `${record.id}: ${record.dom0_access}` : `${record.id}: already ${record.dom0_access}, nothing changed`,
    );
  }
  for (const warning of answer.warnings) out(`warning: ${warning}`);
  return 0;
}

/**
 * Repairs the next boot's hide list through the running service. `--fix`
 * takes `ENTRY=ID`, split at the last `=`: an entry may hold one, an address never does.
 */
export async function repairHideListCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const list = (value: Flags[string]) => (Array.isArray(value) ? value : []);
  const fix = list(flags.fix).map((text) => {
    const at = text.lastIndexOf('=');
    if (at <= 0) throw invalidInput(`--fix takes ENTRY=ID, e.g. --fix '(03:00.8)=0000:03:00.1'; got ${text}`);
    return { entry: text.slice(0, at), pci: parsePciAddress(text.slice(at + 1)) };
  });
  const pcibackHide = flags['pciback-hide'];
  if (pcibackHide !== undefined && !['keep', 'move', 'drop'].includes(String(pcibackHide))) {
    throw invalidInput(`--pciback-hide takes keep, move or drop; got ${pcibackHide}`);
  }
  const body = (await callService(config, 'POST', '/v1/host/hide-list/repair', {
    ...(list(flags.drop).length > 0 ? { drop: list(flags.drop) } : {}),
    ...(fix.length > 0 ? { fix } : {}),
    ...(pcibackHide !== undefined ? { pciback_hide: pcibackHide } : {}),
    ...(typeof flags.reason === 'string' ? { reason: flags.reason } : {}),
    ...(flags.force ? { force: true } : {}),
  })) as { changed: boolean; pending: string[]; warnings: string[] };
  if (flags.json) {
    out(JSON.stringify(body, null, 2));
    return 0;
  }
  out(
    body.changed
      ? `hide list repaired; the next boot hides ${body.pending.join(' ') || 'no device'}`
      : 'the hide list needs no repair, nothing changed',
  );
  for (const warning of body.warnings) out(`warning: ${warning}`);
  return 0;
}

export async function rebootCommand(config: Config, _flags: Flags, out: Output): Promise<number> {
  if (config.hostMode !== 'simulated') {
    throw invalidInput('reboot only reboots a simulated host; this one is a real dom0 (PASSTHRU_HOST_MODE=xen)');
  }
  const { bootId } = rebootSimulatedHost(config.dataDir);
  out(`simulated host rebooted, boot id ${bootId}`);
  try {
    await callService(config, 'POST', '/v1/reconcile', {});
    out('the running service has reconciled with the new boot');
  } catch (error) {
    if (!(error instanceof PassthruError && error.details.unreachable)) throw error;
    out('no service is running; it reconciles when it starts');
  }
  return 0;
}
