import { invalidInput, PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { describeProtections, type ProtectedField } from '../../domain/protection.ts';
import { FORCE_OVER_REST } from '../write/commands.ts';
import type { Config } from '../settings/config.ts';
import { rebootSimulatedHost } from '../host/simulated-host.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';
import { requireSimulatedHost } from '../startup/passthru.ts';

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
  const reason = typeof flags.reason === 'string' ? flags.reason.trim() : '';
  // As on the page: overriding a protection is on the record, with why.
  if (flags.force && !reason) throw invalidInput('--force needs --reason "why": the history keeps why it was forced');
  const options = { ...(reason ? { reason } : {}), ...(flags.force ? { force: true } : {}) };
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
      out(`forced: ${record.id} was protected (${describeProtections(record.protected)}), reason: ${reason}`);
    }
  }
  for (const warning of answer.warnings) out(`warning: ${warning}`);
  return 0;
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
