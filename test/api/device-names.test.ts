import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN } from '../support/service-process.ts';
import { World, type FakeDevice } from '../support/world.ts';
import { LOGIN, serve, xmlRpc } from '../xapi/support.ts';

// A pci.ids that knows the GPU and its board, the NIC's vendor but not the NIC, and no class at all.
const PCI_IDS = [
  '10de  NVIDIA Corporation',
  '\t1db4  GV100GL [Tesla V100 PCIe 16GB]',
  '\t\t10de 1214  Tesla V100 PCIe 16GB',
  '8086  Intel Corporation',
  '',
].join('\n');

const GPU: FakeDevice = {
  id: '0000:03:00.0',
  class: '0x030200',
  vendor: '0x10de',
  device: '0x1db4',
  subsystem: { vendor: '0x10de', device: '0x1214' },
};
const NIC: FakeDevice = { id: '0000:04:00.0', class: '0x020000', vendor: '0x8086', device: '0x1521' };
const ODD: FakeDevice = { id: '0000:05:00.0', class: '0xe50000', vendor: '0x1d0f', device: '0xcafe' };

const NAMES = {
  [GPU.id]: {
    class_name: '3D controller',
    vendor_name: 'NVIDIA Corporation',
    device_name: 'GV100GL [Tesla V100 PCIe 16GB]',
    subsystem_vendor_name: 'NVIDIA Corporation',
    subsystem_device_name: 'Tesla V100 PCIe 16GB',
  },
  [NIC.id]: {
    class_name: 'Ethernet controller',
    vendor_name: 'Intel Corporation',
    device_name: '1521',
    subsystem_vendor_name: '',
    subsystem_device_name: '',
  },
  [ODD.id]: {
    class_name: 'e50000',
    vendor_name: '1d0f',
    device_name: 'cafe',
    subsystem_vendor_name: '',
    subsystem_device_name: '',
  },
};

const test = suite<{ dir: string; world: World; url: string }>('device names in REST, XAPI and the CLI');
test.before(async (context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-names-'));
  writeFileSync(join(context.dir, 'pci.ids'), PCI_IDS);
  context.world = await World.start([GPU, NIC, ODD], { PASSTHRU_PCI_IDS: join(context.dir, 'pci.ids') });
  context.url = await serve(context.world);
});
test.after(async ({ dir, world }) => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
});

test('given a small pci.ids, REST names every device from it, the class table, or the plain ids', async ({ world }) => {
  const records = (await world.get('/v1/pcis')).json() as Record<string, string>[];
  assert.equal(
    records.map((r) => [
      r.id,
      r.class_name,
      r.vendor_name,
      r.device_name,
      r.subsystem_vendor_name,
      r.subsystem_device_name,
    ]),
    Object.entries(NAMES).map(([id, n]) => [
      id,
      n.class_name,
      n.vendor_name,
      n.device_name,
      n.subsystem_vendor_name || undefined,
      n.subsystem_device_name || undefined,
    ]),
  );
  assert.equal([records[0]!.subsystem_vendor_id, records[0]!.subsystem_device_id], ['10de', '1214']);
});

test('XAPI PCI records carry the same names, subsystem names included', async ({ url }) => {
  const [, records] = await xmlRpc(url, [LOGIN, ['PCI.get_all_records', '$session']]);
  const names = Object.fromEntries(
    Object.values(records.Value as Record<string, Record<string, string>>).map((r) => [
      r.pci_id,
      pick(r, Object.keys(NAMES[GPU.id]!)),
    ]),
  );
  assert.equal(names, NAMES);
});

test('passthru status names the devices as REST does', async ({ dir, world }) => {
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [BIN, 'status', '--json'],
      { env: { ...process.env, ...envOf(world, dir) } },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    ),
  );
  assert.equal(
    (JSON.parse(stdout) as { id: string; class_name: string; name: string }[]).map((r) => [r.id, r.class_name, r.name]),
    [
      [GPU.id, '3D controller', 'NVIDIA Corporation GV100GL [Tesla V100 PCIe 16GB]'],
      [NIC.id, 'Ethernet controller', 'Intel Corporation 1521'],
      [ODD.id, 'e50000', '1d0f cafe'],
    ],
  );
});

function pick(record: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, record[key]!]));
}

function envOf(world: World, dir: string): Record<string, string> {
  return {
    PASSTHRU_DATA_DIR: world.config.dataDir,
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_SYSFS_PCI: world.config.hostPaths.sysfsPci,
    PASSTHRU_HOST_ID: world.config.hostId,
    PASSTHRU_PCI_IDS: join(dir, 'pci.ids'),
  };
}

test.run();

const bare = suite<{ world: World }>('device names on a host without pci.ids');
bare.before(async (context) => {
  context.world = await World.start(
    [
      { id: '0000:00:03.0', class: '0x020000', vendor: '0x1af4', device: '0x1041' },
      { id: '0000:00:04.0', class: '0xff8000', vendor: '0x5853', device: '0x0001' },
      { id: '0000:02:00.0', class: '0x030000', vendor: '0x1a03', device: '0x2000' },
      { id: '0000:41:00.0', class: '0x020000', vendor: '0x15b3', device: '0x1017' },
      { id: '0000:42:00.0', class: '0x010802', vendor: '0x1d0f', device: '0xcafe' },
    ],
    { PASSTHRU_PCI_IDS: join(tmpdir(), 'no-such-pci.ids') },
  );
});
bare.after(({ world }) => world.close());

bare(
  'given no pci.ids, the common vendors and the virtio, Xen and BMC display devices are named from the built-in table',
  async ({ world }) => {
    const records = (await world.get('/v1/pcis')).json() as Record<string, string>[];
    assert.equal(
      records.map((r) => [r.id, r.vendor_name, r.device_name]),
      [
        ['0000:00:03.0', 'Red Hat, Inc.', 'Virtio 1.0 network device'],
        ['0000:00:04.0', 'XenSource, Inc.', 'Xen Platform Device'],
        ['0000:02:00.0', 'ASPEED Technology, Inc.', 'ASPEED Graphics Family'],
        ['0000:41:00.0', 'Mellanox Technologies', '1017'],
        ['0000:42:00.0', '1d0f', 'cafe'],
      ],
    );
  },
);

bare.run();
