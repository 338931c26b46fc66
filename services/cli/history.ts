import { actorWords } from '../../domain/actors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { toHistoryEntry } from '../../projections/history-entry.ts';
import { deviceStream } from '../../projections/streams.ts';
import type { Config } from '../settings/config.ts';
import { openExistingStore } from '../store/open-store.ts';
import type { Flags, Output } from './cli-types.ts';
import { table } from './table.ts';

interface NowFields {
  readonly action?: string;
  readonly from_driver?: string | null;
  readonly to_driver?: string;
  readonly xl_message?: string;
  readonly reason?: string;
  readonly assigned_to?: { readonly domid: number; readonly name: string };
}

/** What happened to the device now, beyond the boot list: a hand-over, its failure, or the guest that refused it. */
function nowWords(type: string, data: NowFields): string {
  switch (type) {
    case 'AppliedNow':
      return data.action === 'unhide'
        ? `given back to dom0's ${data.to_driver ?? 'driver'} from pciback`
        : `handed to pciback from ${data.from_driver ?? 'no driver'}`;
    case 'DriverNotBound':
      return 'pciback let go, but no driver of dom0 took it';
    case 'ApplyNowFailed':
      return `${data.action} now failed: ${data.xl_message}`;
    case 'Dom0AccessRefused':
      return data.assigned_to ? `held by ${data.assigned_to.name} (domain ${data.assigned_to.domid})` : '';
    default:
      return '';
  }
}

export async function historyCommand(config: Config, id: string, flags: Flags, out: Output): Promise<number> {
  const pci = parsePciAddress(id);
  const store = await openExistingStore(config.store, () => new Date());
  try {
    const entries = (await store.readStream(deviceStream(config.hostId, pci))).map(toHistoryEntry);
    if (flags.json) {
      out(JSON.stringify(entries, null, 2));
      return 0;
    }
    if (entries.length === 0) {
      out(`no events for ${pci} on host ${config.hostId}`);
      return 0;
    }
    const rows = entries.map((e) => {
      const data = e.data as { status?: string; cause?: string };
      return [
        String(e.revision),
        String(e.position),
        e.at,
        e.type,
        data.status ?? '',
        data.cause ?? '',
        actorWords(String(e.metadata.actor ?? ''), e.metadata.on_behalf_of),
        nowWords(e.type, e.data as NowFields),
        String(e.metadata.reason ?? ''),
      ];
    });
    for (const line of table(['REV', 'POS', 'AT', 'EVENT', 'STATUS', 'CAUSE', 'ACTOR', 'NOW', 'REASON'], rows))
      out(line);
    return 0;
  } finally {
    await store.close();
  }
}
