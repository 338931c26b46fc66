import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, NVME, World } from '../support/world.ts';
import { jsonLogin, jsonRpc, LOGIN, serve, success, xmlRpc } from './support.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const test = suite<{ world: World; url: string }>('XAPI PCI, PGPU, host and pool calls');
test.before(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after(async ({ world }) => world.close());

/** What XAPI's record of a PCI must say, from the REST record of the same device. */
async function expectedPci(world: World, id: string, host: string) {
  const rest = (await world.get(`/v1/pcis/${id}`)).json();
  return {
    class_name: rest.class_name,
    vendor_name: rest.vendor_name,
    device_name: rest.device_name,
    host,
    pci_id: id,
    dependencies: [],
    other_config: { passthrough: JSON.stringify(rest.passthrough) },
    subsystem_vendor_name: '',
    subsystem_device_name: '',
    driver_name: rest.driver ?? '',
  };
}

test('PCI.get_all_records has every device by XAPI field names, one name-based uuid each, matching REST', async ({
  world,
  url,
}) => {
  const [, records, host] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_all_records', '$session'],
    ['host.get_all', '$session'],
  ]);
  const byAddress = Object.values(records.Value as Record<string, any>).map(({ uuid, ...record }) => {
    assert.match(uuid, UUID);
    return record;
  });
  const expected = await Promise.all([GPU, NIC, NVME].map((device) => expectedPci(world, device.id, host.Value[0])));
  assert.equal(byAddress, expected);
});

test('every PCI getter answers the field of its record, and get_by_uuid finds it again', async ({ url }) => {
  const [, records] = await xmlRpc(url, [LOGIN, ['PCI.get_all_records', '$session']]);
  const [nicRef] = Object.entries(records.Value as Record<string, any>).find(([, record]) => record.pci_id === NIC.id)!;
  const fields = ['uuid', 'pci_id', 'class_name', 'vendor_name', 'device_name', 'host', 'dependencies'];
  const answers = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_all', '$session'],
    ['PCI.get_record', '$session', nicRef],
    ...fields.map((field) => [`PCI.get_${field}`, '$session', nicRef]),
    ['PCI.get_dom0_access_status', '$session', nicRef],
  ]);
  const [, all, record, ...getters] = answers;
  assert.is(all.Value.length, 3);
  assert.ok(all.Value.includes(nicRef));
  assert.equal(getters, [...fields.map((field) => success(record.Value[field])), success('enabled')]);
  const [, byUuid] = await xmlRpc(url, [LOGIN, ['PCI.get_by_uuid', '$session', record.Value.uuid]]);
  assert.equal(byUuid, success(nicRef));
});

test('the PGPU of a display controller: its record, its getters, and get_PCI leading back to the PCI', async ({
  url,
}) => {
  const [, all, records, record, uuid, pci, host, access, hostRef] = await xmlRpc(url, [
    LOGIN,
    ['PGPU.get_all', '$session'],
    ['PGPU.get_all_records', '$session'],
    ['PGPU.get_record', '$session', `$PGPU:${GPU.id}`],
    ['PGPU.get_uuid', '$session', `$PGPU:${GPU.id}`],
    ['PGPU.get_PCI', '$session', `$PGPU:${GPU.id}`],
    ['PGPU.get_host', '$session', `$PGPU:${GPU.id}`],
    ['PGPU.get_dom0_access', '$session', `$PGPU:${GPU.id}`],
    ['host.get_all', '$session'],
  ]);
  assert.is(all.Value.length, 1, 'only the display controller is a PGPU');
  const [pgpuRef] = all.Value;
  assert.match(record.Value.uuid, UUID);
  assert.equal(records, success({ [pgpuRef]: record.Value }));
  assert.equal(record.Value, {
    uuid: uuid.Value,
    PCI: pci.Value,
    GPU_group: 'OpaqueRef:NULL',
    host: hostRef.Value[0],
    other_config: {},
    supported_VGPU_types: [],
    enabled_VGPU_types: [],
    resident_VGPUs: [],
    supported_VGPU_max_capacities: {},
    dom0_access: 'enabled',
    is_system_display_device: false,
    compatibility_metadata: {},
  });
  assert.equal(host, success(hostRef.Value[0]));
  assert.equal(access, success('enabled'));
  const [, pciId, byUuid] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_pci_id', '$session', pci.Value],
    ['PGPU.get_by_uuid', '$session', uuid.Value],
  ]);
  assert.equal(pciId, success(GPU.id));
  assert.equal(byUuid, success(pgpuRef));
});

test('the one host and its pool of one, as XenAPI.py reads them at login', async ({ world, url }) => {
  const [, hosts, pools, master, record, uuid, name, major, minor] = await xmlRpc(url, [
    LOGIN,
    ['host.get_all', '$session'],
    ['pool.get_all', '$session'],
    ['pool.get_master', '$session', '$pool'],
    ['host.get_record', '$session', '$host'],
    ['host.get_uuid', '$session', '$host'],
    ['host.get_name_label', '$session', '$host'],
    ['host.get_API_version_major', '$session', '$host'],
    ['host.get_API_version_minor', '$session', '$host'],
  ]);
  assert.is(hosts.Value.length, 1);
  assert.is(pools.Value.length, 1);
  assert.equal(master, success(hosts.Value[0]));
  const [, pcis, pgpus] = await xmlRpc(url, [LOGIN, ['PCI.get_all', '$session'], ['PGPU.get_all', '$session']]);
  assert.equal(record.Value, {
    uuid: uuid.Value,
    name_label: world.config.hostId,
    name_description: 'the Xen host passthru manages',
    API_version_major: '2',
    API_version_minor: '21',
    API_version_vendor: 'passthru',
    PCIs: pcis.Value,
    PGPUs: pgpus.Value,
    other_config: {},
  });
  assert.equal([name, major, minor], [success('test-host'), success('2'), success('21')]);
});

test('JSON-RPC answers exactly what XML-RPC answers, as a bare result', async ({ world, url }) => {
  const session = await jsonLogin(world);
  const calls = [['PCI.get_all_records'], ['PGPU.get_all_records'], ['host.get_all'], ['pool.get_all']];
  const overXml = await xmlRpc(
    url,
    calls.map(([method]) => [method, session]),
  );
  for (const [index, [method]] of calls.entries()) {
    assert.equal(await jsonRpc(world, method!, [session], index), {
      jsonrpc: '2.0',
      id: index,
      result: overXml[index].Value,
    });
  }
});

test('references and uuids stay the same across a restart and a reboot', async ({ world }) => {
  const snapshot = async () => {
    const session = await jsonLogin(world);
    const read = async (method: string) => (await jsonRpc(world, method, [session])).result;
    return [
      await read('PCI.get_all_records'),
      await read('PGPU.get_all_records'),
      await read('host.get_all'),
      await read('pool.get_all'),
    ];
  };
  const before = await snapshot();
  await world.restart();
  assert.equal(await snapshot(), before);
  await world.reboot();
  assert.equal(await snapshot(), before);
});

test.run();
