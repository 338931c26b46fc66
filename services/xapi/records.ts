import { xapiDom0Access } from '../../domain/xapi-status.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { PciRecord, PgpuRecord, Readiness } from '../read/records.ts';
import type { Refs } from './refs.ts';

/** XAPI's null reference, for the links passthru has no object for (GPU groups, VMs). */
export const NULL_REF = 'OpaqueRef:NULL';
// The XAPI release whose API has PCI.get_dom0_access_status; XenAPI.py reads it at login.
export const API_VERSION = { major: '2', minor: '21' } as const;

/**
 * The public fields of XAPI's PCI class. What passthru does not track (drivers,
 * the subsystem of a device without one) is empty, as XAPI shows it for a
 * device it knows nothing more of. Class, vendor and device ids are internal
 * in XAPI: not here. A protected device says why in `other_config.protected`,
 * the REST field as JSON (XAPI's maps hold strings); a device a guest holds
 * names it in `other_config.assigned_to`, as `attached_VMs` would need VM refs.
 */
export function xapiPciRecord(
  pci: DeviceIdentity,
  safety: Pick<PciRecord, 'protected' | 'dependencies'>,
  readiness: Readiness,
  refs: Refs,
) {
  return {
    uuid: refs.uuid('PCI', pci.id),
    class_name: pci.class_name,
    vendor_name: pci.vendor_name,
    device_name: pci.device_name,
    host: refs.ref('host'),
    pci_id: pci.id,
    dependencies: safety.dependencies.map((id) => refs.ref('PCI', id)),
    other_config: {
      ...(safety.protected ? { protected: JSON.stringify(safety.protected) } : {}),
      passthrough: JSON.stringify(readiness.passthrough),
      ...(readiness.assigned_to ? { assigned_to: JSON.stringify(readiness.assigned_to) } : {}),
    } as Record<string, string>,
    subsystem_vendor_name: pci.subsystem_vendor_name ?? '',
    subsystem_device_name: pci.subsystem_device_name ?? '',
    driver_name: readiness.driver ?? '',
  };
}

/** The fields of XAPI's PGPU class; `dom0_access` is its PCI's live status (invariant 6). */
export function xapiPgpuRecord(pgpu: PgpuRecord, safety: Pick<PciRecord, 'protected'>, refs: Refs) {
  return {
    uuid: refs.uuid('PGPU', pgpu.id),
    PCI: refs.ref('PCI', pgpu.pci),
    GPU_group: NULL_REF,
    host: refs.ref('host'),
    other_config: {},
    supported_VGPU_types: [],
    enabled_VGPU_types: [],
    resident_VGPUs: [],
    supported_VGPU_max_capacities: {},
    dom0_access: xapiDom0Access(pgpu.dom0_access),
    is_system_display_device: safety.protected?.some((p) => p.reason === 'system_display') ?? false,
    compatibility_metadata: {},
  };
}

/** The part of XAPI's host class that passthru can answer for. */
export function xapiHostRecord(hostId: string, pcis: readonly PciAddress[], pgpus: readonly PciAddress[], refs: Refs) {
  return {
    uuid: refs.uuid('host'),
    name_label: hostId,
    name_description: 'the Xen host passthru manages',
    API_version_major: API_VERSION.major,
    API_version_minor: API_VERSION.minor,
    API_version_vendor: 'passthru',
    PCIs: pcis.map((id) => refs.ref('PCI', id)),
    PGPUs: pgpus.map((id) => refs.ref('PGPU', id)),
    other_config: {},
  };
}

/** The pool of one this host is master of, as XAPI shows a host that never joined a pool. */
export function xapiPoolRecord(refs: Refs) {
  return {
    uuid: refs.uuid('pool'),
    name_label: '',
    name_description: '',
    master: refs.ref('host'),
    default_SR: NULL_REF,
    other_config: {},
  };
}
