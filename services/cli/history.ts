import { parsePciAddress } from '../../domain/pci-address.ts';
import { toHistoryEntry } from '../../projections/history-entry.ts';
import { deviceStream } from '../../projections/streams.ts';
import type { Config } from '../settings/config.ts';
import { openExistingStore } from '../store/open-store.ts';
import type { Flags, Output } from './cli-types.ts';
import { table } from './table.ts';

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
        String(e.metadata.actor ?? ''),
        String(e.metadata.reason ?? ''),
      ];
    });
    for (const line of table(['REV', 'POS', 'AT', 'EVENT', 'STATUS', 'CAUSE', 'ACTOR', 'REASON'], rows)) out(line);
    return 0;
  } finally {
    await store.close();
  }
}
