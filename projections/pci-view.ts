import { produce } from 'immer';
import { evolve, type DeviceState } from '../domain/device-state.ts';
import type { PciAddress } from '../domain/pci-address.ts';
import type { StoredEvent } from '../services/store/event-store.ts';
import { asDeviceEvent } from './recorded-event.ts';

export interface PciView {
  /** The store position of the last event applied. */
  readonly position: number;
  readonly devices: Readonly<Record<PciAddress, DeviceState>>;
}

export const emptyPciView = (): PciView => ({ position: 0, devices: {} });

/**
 * Folds a batch of events from one host's device streams into the view. Each
 * device's next state comes from the pure `evolve`, fed the newest state this
 * batch made rather than a draft, so one `produce` serves the whole batch.
 */
export function applyToPciView(view: PciView, events: readonly StoredEvent[]): PciView {
  if (events.length === 0) return view;
  return produce(view, (draft) => {
    const latest = new Map<PciAddress, DeviceState>();
    for (const stored of events) {
      draft.position = stored.position;
      const event = asDeviceEvent(stored);
      if (!event) continue;
      const pci = event.data.pci;
      const next = evolve(latest.get(pci) ?? view.devices[pci], event, {
        revision: stored.revision,
        at: stored.metadata.at,
      });
      latest.set(pci, next);
      draft.devices[pci] = next;
    }
  });
}

/** A device's state as of a revision of its own stream: time travel by refolding. */
export function deviceStateAt(events: readonly StoredEvent[], revision: number): DeviceState | undefined {
  let state: DeviceState | undefined;
  for (const stored of events) {
    if (stored.revision > revision) break;
    const event = asDeviceEvent(stored);
    if (event) state = evolve(state, event, { revision: stored.revision, at: stored.metadata.at });
  }
  return state;
}
