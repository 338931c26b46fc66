import { stringify } from 'yaml';
import type { DesiredStateDocument, IdentityMatch } from '../../domain/desired-state/document.ts';
import type { Config } from '../settings/config.ts';
import type { Flags, Output } from './cli-types.ts';
import { callService } from './service-client.ts';

interface Listed {
  readonly id: string;
  readonly dom0_access: string;
  readonly vendor_id: string;
  readonly device_id: string;
  readonly subsystem_vendor_id?: string;
  readonly subsystem_device_id?: string;
  readonly device_name: string;
  readonly vendor_name: string;
}

const HIDDEN_AT_NEXT_BOOT = new Set(['disabled', 'disabled_on_reboot']);

/**
 * The devices the next boot hides, as a desired-state document to start from:
 * each by its identity, so the document still holds when a card moves; by its
 * address where a device of the same identity stays with dom0, which the identity would take too.
 */
export async function exportDesiredCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const devices = (await callService(config, 'GET', '/v1/pcis')) as Listed[];
  const hidden = devices.filter((d) => HIDDEN_AT_NEXT_BOOT.has(d.dom0_access));
  const key = (d: Listed) => JSON.stringify(identityOf(d));
  const kept = new Set(devices.filter((d) => !HIDDEN_AT_NEXT_BOOT.has(d.dom0_access)).map(key));
  const entries = new Map<string, DesiredStateDocument['hidden'][number]>();
  for (const device of hidden) {
    const reason = `${device.vendor_name} ${device.device_name}, at ${device.id} when exported`;
    if (kept.has(key(device))) entries.set(device.id, { id: device.id, reason });
    else if (!entries.has(key(device))) entries.set(key(device), { match: identityOf(device), reason });
  }
  const document: DesiredStateDocument = { mode: 'exact', apply: 'next-boot', hidden: [...entries.values()] };
  if (flags.json) out(JSON.stringify(document, null, 2));
  else out(`# the devices the next boot hides, exported by passthru export-desired\n${stringify(document).trimEnd()}`);
  return 0;
}

function identityOf(device: Listed): IdentityMatch {
  return {
    vendor: device.vendor_id,
    device: device.device_id,
    ...(device.subsystem_vendor_id && device.subsystem_device_id
      ? { subsystem_vendor: device.subsystem_vendor_id, subsystem_device: device.subsystem_device_id }
      : {}),
  };
}
