import { invalidInput, PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { describeProtections, type ProtectedField } from '../../domain/protection.ts';
import { FORCE_OVER_REST } from '../write/commands.ts';
import type { Config } from '../settings/config.ts';
import { rebootSimulatedHost } from '../host/simulated-host.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';
import { visible } from './table.ts';
import { requireSimulatedHost } from '../startup/passthru.ts';
import { preflightLines, readPreflight } from './preflight.ts';

interface Changed {
  readonly record: { readonly id: string; readonly dom0_access: string; readonly protected: ProtectedField };
  readonly changed: boolean;
}

const FORCE_BY_FLAGS = 'add --force --reason "why" to hide it anyway';

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
  const reason = forcedReason(flags);
  const options = {
    ...(reason ? { reason } : {}),
    ...(flags.force ? { force: true } : {}),
    ...(flags.now ? { apply: 'now' } : {}),
  };
  const [single] = pcis;
  const body = await refusalsInFlags(() =>
    pcis.length === 1
      ? callService(config, 'POST', `/v1/pcis/${single}/${name}`, options)
      : callService(config, 'POST', `/v1/pcis/${name}`, { ids: pcis, ...options }),
  );
  if (flags.json) {
    out(JSON.stringify(body, null, 2));
    return 0;
  }
  const answer = body as { warnings: string[] } & Changed['record'] & Pick<Changed, 'changed'>;
  const results: Changed[] =
    pcis.length === 1 ? [{ record: answer, changed: answer.changed }] : (body as { results: Changed[] }).results;
  for (const { record, changed } of results) {
    out(
      changed ? `${record.id}: ${record.dom0_access}` : `${record.id}: already ${record.dom0_access}, nothing changed`,
    );
    // A changed hide of a protected device got through only by force.
    if (name === 'hide' && changed && record.protected) {
      out(
        `forced: ${record.id} was protected (${visible(describeProtections(record.protected))}), reason: ${visible(reason)}`,
      );
    }
  }
  for (const warning of answer.warnings) out(`warning: ${visible(warning)}`);
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
  const reason = forcedReason(flags);
  const body = (await callService(config, 'POST', '/v1/host/hide-list/repair', {
    ...(list(flags.drop).length > 0 ? { drop: list(flags.drop) } : {}),
    ...(fix.length > 0 ? { fix } : {}),
    ...(pcibackHide !== undefined ? { pciback_hide: pcibackHide } : {}),
    ...(reason ? { reason } : {}),
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
  for (const warning of body.warnings) out(`warning: ${visible(warning)}`);
  return 0;
}

/** The --reason given; as on the page, overriding a protection is on the record with why. */
function forcedReason(flags: Flags): string {
  const reason = typeof flags.reason === 'string' ? flags.reason.trim() : '';
  if (flags.force && !reason) throw invalidInput('--force needs --reason "why": the history keeps why it was forced');
  return reason;
}

/** A refusal says how to override it as a CLI user does it: by flags, not a request body. */
async function refusalsInFlags<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof PassthruError && error.kind === 'conflict' && error.message.endsWith(FORCE_OVER_REST))) {
      throw error;
    }
    throw new PassthruError(
      'conflict',
      `${error.message.slice(0, -FORCE_OVER_REST.length)}${FORCE_BY_FLAGS}`,
      error.details,
    );
  }
}

export async function rebootCommand(config: Config, _flags: Flags, out: Output): Promise<number> {
  if (config.hostMode !== 'simulated') {
    throw invalidInput('reboot only reboots a simulated host; this one is a real dom0 (PASSTHRU_HOST_MODE=xen)');
  }
  requireSimulatedHost(config.dataDir);
  // As before a real reboot: the preflight first, so what the boot will do is said before it does it.
  try {
    for (const line of preflightLines(await readPreflight(config))) out(line);
  } catch (error) {
    if (!(error instanceof PassthruError && error.details.unreachable)) throw error;
    out('no service is running to run the preflight; before a real reboot, run passthru preflight');
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
