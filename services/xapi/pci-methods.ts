import type { HideLists } from '../host/host.ts';
import { statusIn, unheededIn } from '../read/records.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { xapiDom0Access } from '../../domain/xapi-status.ts';
import { dom0AccessCommand, type MethodDeps, type MethodTable } from './call.ts';
import { xapiPciRecord } from './records.ts';
import type { RpcValue } from './values.ts';

const FIELDS = [
  'uuid',
  'pci_id',
  'class_name',
  'vendor_name',
  'device_name',
  'host',
  'dependencies',
  'driver_name',
  'subsystem_vendor_name',
  'subsystem_device_name',
] as const;

/** XAPI's PCI class: the design document's dom0 access calls and the read calls around them. */
export function pciMethods({ passthru, refs }: MethodDeps): MethodTable {
  const { records } = passthru;
  const idOf = (ref: RpcValue) => refs.find('PCI', records.knownIds(), ref);
  const recordById = async (id: PciAddress, lists: HideLists) =>
    xapiPciRecord(
      records.require(id),
      records.safetyFields(id),
      await records.readiness(id, statusIn(id, lists), unheededIn(id, lists)),
      refs,
    );
  const recordOf = async (ref: RpcValue) => recordById(idOf(ref), await passthru.host.hideLists());

  const table: MethodTable = {
    'PCI.get_all': { arity: 0, run: () => records.knownIds().map((id) => refs.ref('PCI', id)) },
    'PCI.get_all_records': {
      arity: 0,
      run: async () => {
        // One read of the hide lists serves every record.
        const lists = await passthru.host.hideLists();
        return Object.fromEntries(
          await Promise.all(records.knownIds().map(async (id) => [refs.ref('PCI', id), await recordById(id, lists)])),
        );
      },
    },
    'PCI.get_record': { arity: 1, run: ([ref = null]) => recordOf(ref) },
    'PCI.get_by_uuid': {
      arity: 1,
      run: ([uuid = null]) => refs.ref('PCI', refs.findByUuid('PCI', records.knownIds(), uuid)),
    },
    'PCI.get_dom0_access_status': {
      arity: 1,
      run: async ([ref = null]) => xapiDom0Access(await records.status(idOf(ref))),
    },
    'PCI.disable_dom0_access': dom0AccessCommand(passthru, 'hide', idOf),
    'PCI.enable_dom0_access': dom0AccessCommand(passthru, 'unhide', idOf),
  };
  for (const field of FIELDS)
    table[`PCI.get_${field}`] = { arity: 1, run: async ([ref = null]) => (await recordOf(ref))[field] };
  return table;
}
