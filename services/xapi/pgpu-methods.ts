import { dom0AccessCommand, type MethodDeps, type MethodTable } from './call.ts';
import { xapiPgpuRecord } from './records.ts';
import type { RpcValue } from './values.ts';

const FIELDS = ['uuid', 'PCI', 'host', 'dom0_access'] as const;

/**
 * XAPI's PGPU class, whose dom0 access calls the design deprecates: they stay,
 * as PCI commands on the PGPU's PCI, so both always agree.
 */
export function pgpuMethods({ passthru, refs }: MethodDeps): MethodTable {
  const { records } = passthru;
  const find = async (ref: RpcValue) => {
    const pgpus = await records.pgpus();
    const id = refs.find(
      'PGPU',
      pgpus.map((pgpu) => pgpu.id),
      ref,
    );
    return pgpus.find((pgpu) => pgpu.id === id)!;
  };
  const recordOf = async (ref: RpcValue) => {
    const pgpu = await find(ref);
    return xapiPgpuRecord(pgpu, records.safetyFields(pgpu.pci), refs);
  };
  const pciOf = async (ref: RpcValue) => (await find(ref)).pci;

  const table: MethodTable = {
    'PGPU.get_all': { arity: 0, run: async () => (await records.pgpus()).map((pgpu) => refs.ref('PGPU', pgpu.id)) },
    'PGPU.get_all_records': {
      arity: 0,
      run: async () =>
        Object.fromEntries(
          (await records.pgpus()).map((pgpu) => [
            refs.ref('PGPU', pgpu.id),
            xapiPgpuRecord(pgpu, records.safetyFields(pgpu.pci), refs),
          ]),
        ),
    },
    'PGPU.get_record': { arity: 1, run: ([ref = null]) => recordOf(ref) },
    'PGPU.get_by_uuid': {
      arity: 1,
      run: async ([uuid = null]) =>
        refs.ref(
          'PGPU',
          refs.findByUuid(
            'PGPU',
            (await records.pgpus()).map((pgpu) => pgpu.id),
            uuid,
          ),
        ),
    },
    'PGPU.disable_dom0_access': dom0AccessCommand(passthru, 'hide', pciOf),
    'PGPU.enable_dom0_access': dom0AccessCommand(passthru, 'unhide', pciOf),
  };
  for (const field of FIELDS) {
    table[`PGPU.get_${field}`] = { arity: 1, run: async ([ref = null]) => (await recordOf(ref))[field] };
  }
  return table;
}
