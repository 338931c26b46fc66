import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import pino from 'pino';
import { invalidInput } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { applyToPciView, emptyPciView } from '../../projections/pci-view.ts';
import { deviceStream, deviceStreamPrefix } from '../../projections/streams.ts';
import type { Config } from '../settings/config.ts';
import { Projector } from '../read/projector.ts';
import { openExistingStore } from '../store/open-store.ts';
import type { Flags, Output } from './cli-types.ts';
import { visible } from './table.ts';

const PAGE = 1000;

/** Folds the stored events one at a time and shows each with the device view it produces. */
export async function replayCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const pci = typeof flags.pci === 'string' ? parsePciAddress(flags.pci) : null;
  const until = typeof flags.until === 'string' ? storePosition(flags.until, '--until') : Infinity;
  const store = await openExistingStore(config.store, () => new Date());
  try {
    const streamPrefix = pci ? deviceStream(config.hostId, pci) : deviceStreamPrefix(config.hostId);
    let view = emptyPciView();
    for (let after = 0; ;) {
      const events = await store.readAll({ after, limit: PAGE, streamPrefix });
      for (const event of events) {
        if (event.position > until) break;
        view = applyToPciView(view, [event]);
        const device = view.devices[(event.data as { pci: keyof typeof view.devices }).pci];
        if (flags.json) out(JSON.stringify({ event, view: device }));
        else {
          out(
            visible(`#${event.position} ${event.stream}@${event.revision} ${event.type} ${JSON.stringify(event.data)}`),
          );
          out(
            visible(
              `    => ${device?.id} ${device?.status} (revision ${device?.revision}, ${device?.last_change.cause})`,
            ),
          );
        }
      }
      const last = events[events.length - 1];
      if (!last || last.position >= until) return 0;
      after = last.position;
    }
  } finally {
    await store.close();
  }
}

export async function rebuildCommand(config: Config, flags: Flags, out: Output): Promise<number> {
  const store = await openExistingStore(config.store, () => new Date());
  try {
    const log = pino({ level: 'warn' }, pino.destination(2));
    const projector = new Projector(store, config.hostId, join(config.dataDir, 'projections.checkpoint.json'), log);
    const head = await store.headPosition();
    const bar = new SingleBar(
      { format: 'rebuild [{bar}] {percentage}% | position {value}/{total}', stream: process.stderr },
      Presets.shades_classic,
    );
    if (!flags.json) bar.start(head, 0);
    const applied = await projector.rebuild((position) => bar.update(position));
    bar.update(head);
    bar.stop();
    const devices = Object.keys(projector.pci.devices).length;
    out(
      flags.json
        ? JSON.stringify({ applied, position: projector.position, devices })
        : `rebuilt from ${applied} events: ${devices} devices, position ${projector.position}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

export function storePosition(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw invalidInput(`${flag} takes a store position (a whole number), not "${text}"`);
  return Number(text);
}
