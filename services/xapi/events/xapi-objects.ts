import type { Dom0AccessStatus } from '../../../domain/dom0-access.ts';
import type { PciAddress } from '../../../domain/pci-address.ts';
import { asDeviceEvent } from '../../../projections/recorded-event.ts';
import type { Passthru } from '../../startup/passthru.ts';
import type { StoredEvent } from '../../store/event-store.ts';
import type { XapiObjectClass } from '../refs.ts';
import type { Refs } from '../refs.ts';
import { xapiHostRecord, xapiPciRecord, xapiPgpuRecord, xapiPoolRecord } from '../records.ts';
import type { EventClass, XapiObject } from './types.ts';

export const WIRE_CLASS: Record<EventClass, XapiObjectClass> = { pci: 'PCI', pgpu: 'PGPU', host: 'host', pool: 'pool' };

/**
 * Every object passthru serves, keyed by reference, each with its record as
 * get_record gives it, the dom0 access status as `statusOf` says. A device's
 * drivers are read once for all the snapshots taken from one listing.
 */
export function currentObjects(
  { records, config }: Passthru,
  refs: Refs,
  statusOf: (id: PciAddress) => Dom0AccessStatus,
): Map<string, XapiObject> {
  const pcis = records.knownIds().map((id) => records.require(id));
  const pgpus = records.pgpuIds().map((id) => ({ id, pci: id, dom0_access: statusOf(id) }));
  const driverOf = records.driverReader();
  const objects = new Map<string, XapiObject>();
  const add = (cls: EventClass, ref: string, snapshot: () => object | Promise<object>) =>
    objects.set(ref, { cls, ref, snapshot: snapshot as XapiObject['snapshot'] });
  add('pool', refs.ref('pool'), () => xapiPoolRecord(refs));
  add('host', refs.ref('host'), () =>
    xapiHostRecord(
      config.hostId,
      pcis.map((pci) => pci.id),
      pgpus.map((pgpu) => pgpu.id),
      refs,
    ),
  );
  for (const pci of pcis) {
    add('pci', refs.ref('PCI', pci.id), async () =>
      xapiPciRecord(
        pci,
        records.safetyFields(pci.id),
        // A snapshot never waits for xen-cmdline: the hide lists' problems show in get_record and REST.
        await records.readiness(pci.id, statusOf(pci.id), [], driverOf),
        refs,
      ),
    );
  }
  for (const pgpu of pgpus)
    add('pgpu', refs.ref('PGPU', pgpu.id), () => xapiPgpuRecord(pgpu, records.safetyFields(pgpu.id), refs));
  return objects;
}

/**
 * The references of the objects a stored event of this host changes. A
 * device's PCI and PGPU change together; a discovery adds to the host's lists.
 */
export function changedBy(event: StoredEvent, refs: Refs): { refs: string[]; created: boolean } {
  const device = asDeviceEvent(event);
  if (!device) return { refs: [refs.ref('host')], created: false };
  const { pci } = device.data;
  const created = device.type === 'DeviceDiscovered';
  return {
    refs: [refs.ref('PCI', pci), refs.ref('PGPU', pci), ...(created ? [refs.ref('host')] : [])],
    created,
  };
}

/** The class of the object a reference names, if passthru serves it. */
export function classOf({ records }: Passthru, refs: Refs, ref: string): EventClass | undefined {
  if (ref === refs.ref('pool')) return 'pool';
  if (ref === refs.ref('host')) return 'host';
  if (records.knownIds().some((id) => refs.ref('PCI', id) === ref)) return 'pci';
  if (records.pgpuIds().some((id) => refs.ref('PGPU', id) === ref)) return 'pgpu';
  return undefined;
}
