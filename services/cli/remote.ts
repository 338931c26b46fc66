import { invalidInput, PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import type { Config } from '../config.ts';
import { rebootSimulatedHost } from '../host/simulated-host.ts';
import type { Flags, Output } from './main.ts';
import { callService } from './service-client.ts';

/** Changes go through the running service, so its lane serialises them and its log records them. */
export async function commandThroughService(
  config: Config,
  name: 'hide' | 'unhide',
  id: string,
  flags: Flags,
  out: Output,
): Promise<number> {
  const pci = parsePciAddress(id);
  const reason = typeof flags.reason === 'string' ? flags.reason : undefined;
  const body = await callService(config, 'POST', `/v1/pcis/${pci}/${name}`, reason ? { reason } : {});
  if (flags.json) out(JSON.stringify(body, null, 2));
  else {
    const record = body as { id: string; dom0_access: string; changed: boolean };
    out(
      record.changed
        ? `${record.id}: ${record.dom0_access}`
        : `${record.id}: already ${record.dom0_access}, nothing changed`,
    );
  }
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
