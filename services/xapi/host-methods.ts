import type { MethodDeps, MethodTable } from './call.ts';
import { API_VERSION, xapiHostRecord, xapiPoolRecord } from './records.ts';
import type { RpcValue } from './values.ts';

/**
 * The one host, and the pool of one it is master of: XenAPI.py asks
 * pool.get_all, pool.get_master and the host's API version at every login.
 */
export function hostMethods({ passthru, refs }: MethodDeps): MethodTable {
  const { records, config } = passthru;
  const hostRef = refs.ref('host');
  const checked = (ref: RpcValue) => refs.find('host', [''], ref);
  const recordOf = async (ref: RpcValue) => {
    checked(ref);
    const pgpus = await records.pgpus();
    return xapiHostRecord(
      config.hostId,
      records.knownIds(),
      pgpus.map((pgpu) => pgpu.id),
      refs,
    );
  };
  const constant = (value: RpcValue) => ({
    arity: 1,
    run: ([ref = null]: readonly RpcValue[]) => (checked(ref), value),
  });

  return {
    'host.get_all': { arity: 0, run: () => [hostRef] },
    'host.get_all_records': { arity: 0, run: async () => ({ [hostRef]: await recordOf(hostRef) }) },
    'host.get_record': { arity: 1, run: ([ref = null]) => recordOf(ref) },
    'host.get_uuid': constant(refs.uuid('host')),
    'host.get_name_label': constant(config.hostId),
    'host.get_API_version_major': constant(API_VERSION.major),
    'host.get_API_version_minor': constant(API_VERSION.minor),
    'pool.get_all': { arity: 0, run: () => [refs.ref('pool')] },
    'pool.get_all_records': { arity: 0, run: () => ({ [refs.ref('pool')]: xapiPoolRecord(refs) }) },
    'pool.get_record': {
      arity: 1,
      run: ([ref = null]) => {
        refs.find('pool', [''], ref);
        return xapiPoolRecord(refs);
      },
    },
    'pool.get_master': {
      arity: 1,
      run: ([ref = null]) => {
        refs.find('pool', [''], ref);
        return hostRef;
      },
    },
  };
}
