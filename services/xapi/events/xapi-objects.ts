import type { Passthru } from '../../passthru.ts';
import type { StoredEvent } from '../../store/event-store.ts';
import type { XapiObjectClass } from '../refs.ts';
import type { Refs } from '../refs.ts';
import { xapiHostRecord, xapiPciRecord, xapiPgpuRecord, xapiPoolRecord } from '../records.ts';
import type { RpcStruct } from '../values.ts';
import type { EventClass, XapiObject } from './types.ts';

export const WIRE_CLASS: Record<EventClass, XapiObjectClass> = { pci: 'PCI', pgpu: 'PGPU', host: 'host', pool: 'pool' };

/** Every object passthru serves, keyed by reference, each with its record as get_record gives it now. */
export async function currentObjects({ records, config }: Passthru, refs: Refs): Promise<Map<string, XapiObject>> {
  const [pcis, pgpus] = await Promise.all([records.pcis(), records.pgpus()]);
  const objects = new Map<string, XapiObject>();
  const add = (cls: EventClass, ref: string, snapshot: object) =>
    objects.set(ref, { cls, ref, snapshot: snapshot as RpcStruct });
  add('pool', refs.ref('pool'), xapiPoolRecord(refs));
  add(
    'host',
    refs.ref('host'),
    xapiHostRecord(
      config.hostId,
      pcis.map((pci) => pci.id),
      pgpus.map((pgpu) => pgpu.id),
      refs,
    ),
  );
  for (const pci of pcis) add('pci', refs.ref('PCI', pci.id), xapiPciRecord(pci, refs));
  for (const pgpu of pgpus) add('pgpu', refs.ref('PGPU', pgpu.id), xapiPgpuRecord(pgpu, refs));
  return objects;
}

/**
 * The references of the objects a stored event of this host changes. A
 * device's PCI and PGPU change together; a discovery adds to the host's lists.
 */
export function changedBy(event: StoredEvent, refs: Refs): { refs: string[]; created: boolean } {
  const pci = (event.data as { pci?: unknown } | null)?.pci;
  if (typeof pci !== 'string') return { refs: [refs.ref('host')], created: false };
  const created = event.type === 'DeviceDiscovered';
  return {
    refs: [refs.ref('PCI', pci), refs.ref('PGPU', pci), ...(created ? [refs.ref('host')] : [])],
    created,
  };
}
