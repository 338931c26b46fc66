import { produce } from 'immer';
import { isDisplayClass } from '../domain/device.ts';
import type { PciAddress } from '../domain/pci-address.ts';
import type { StoredEvent } from '../services/store/event-store.ts';
import { asDeviceEvent } from './recorded-event.ts';

/** A PGPU is named by its PCI; its dom0 access is always its PCI's, read live. */
export interface PgpuEntry {
  readonly id: PciAddress;
  readonly pci: PciAddress;
}

export interface PgpuView {
  readonly position: number;
  readonly pgpus: Readonly<Record<PciAddress, PgpuEntry>>;
}

export const emptyPgpuView = (): PgpuView => ({ position: 0, pgpus: {} });

export function applyToPgpuView(view: PgpuView, events: readonly StoredEvent[]): PgpuView {
  if (events.length === 0) return view;
  return produce(view, (draft) => {
    for (const stored of events) {
      draft.position = stored.position;
      const event = asDeviceEvent(stored);
      if (event?.type === 'DeviceDiscovered' && isDisplayClass(event.data.class_id)) {
        draft.pgpus[event.data.pci] = { id: event.data.pci, pci: event.data.pci };
      }
    }
  });
}
