import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import type { PciIds } from '../../services/host/pci-ids.ts';
import { readInventory } from '../../services/host/sysfs-inventory.ts';

const test = suite('sysfs inventory');

const ids: PciIds = {
  source: 'a test table',
  vendorName: (vendor) => ({ '10de': 'NVIDIA Corporation', '8086': 'Intel Corporation' })[vendor] ?? null,
  deviceName: (vendor, device) => (vendor === '10de' && device === '1db4' ? 'GV100GL [Tesla V100 PCIe 16GB]' : null),
  subsystemName: (vendor, device, subVendor, subDevice) =>
    `${vendor}:${device}:${subVendor}:${subDevice}` === '10de:1db4:10de:1214' ? 'Tesla V100 PCIe 16GB' : null,
  className: (classId) => ({ '030000': 'VGA controller', '020000': 'Ethernet controller' })[classId] ?? null,
};

function device(dir: string, files: Record<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
}

/** Lays out a sysfs-like tree: `devices/` of entries, some of them symlinks into `real/`. */
function withSysfs(run: (devices: string, root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-'));
    try {
      const devices = path.join(root, 'devices');
      fs.mkdirSync(devices);
      await run(devices, root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

test(
  'given a tree of devices, each becomes an identity with names, sorted by address',
  withSysfs(async (devices, root) => {
    device(path.join(devices, '0000:81:00.0'), { class: '0x020000\n', vendor: '0x8086\n', device: '0x1521\n' });
    device(path.join(root, 'real', '0000:03:00.0'), { class: '0x030000\n', vendor: '0x10DE\n', device: '0x1DB4\n' });
    fs.symlinkSync(path.join(root, 'real', '0000:03:00.0'), path.join(devices, '0000:03:00.0'));
    device(path.join(devices, 'not-an-address'), { class: '0x030000\n', vendor: '0x10de\n', device: '0x1db4\n' });
    device(path.join(devices, '0000:04:00.0'), { class: 'VGA\n', vendor: '0x10de\n', device: '0x1db4\n' });

    assert.equal(await readInventory(devices, ids), [
      {
        id: '0000:03:00.0',
        class_id: '030000',
        class_name: 'VGA controller',
        vendor_id: '10de',
        vendor_name: 'NVIDIA Corporation',
        device_id: '1db4',
        device_name: 'GV100GL [Tesla V100 PCIe 16GB]',
      },
      {
        id: '0000:81:00.0',
        class_id: '020000',
        class_name: 'Ethernet controller',
        vendor_id: '8086',
        vendor_name: 'Intel Corporation',
        device_id: '1521',
        device_name: '1521',
      },
    ]);
  }),
);

test(
  'given ids the database does not know, classes take the built-in name and the rest their plain ids',
  withSysfs(async (devices) => {
    device(path.join(devices, '0000:05:00.0'), { class: '0x010802\n', vendor: '0x1234\n', device: '0xabcd\n' });
    device(path.join(devices, '0000:05:00.1'), { class: '0xff0000\n', vendor: '0x1234\n', device: '0xabcd\n' });
    device(path.join(devices, '0000:05:00.2'), { class: '0xe50000\n', vendor: '0x1234\n', device: '0xabcd\n' });

    assert.equal(
      (await readInventory(devices, ids)).map((d) => [d.class_name, d.vendor_name, d.device_name]),
      [
        ['NVM Express controller', '1234', 'abcd'],
        ['Unassigned class', '1234', 'abcd'],
        ['e50000', '1234', 'abcd'],
      ],
    );
  }),
);

test(
  'given subsystem ids, they come with names, and a subsystem vendor of 0000 means none',
  withSysfs(async (devices) => {
    const gpu = { class: '0x030200\n', vendor: '0x10de\n', device: '0x1db4\n' };
    device(path.join(devices, '0000:03:00.0'), { ...gpu, subsystem_vendor: '0x10de\n', subsystem_device: '0x1214\n' });
    device(path.join(devices, '0000:04:00.0'), { ...gpu, subsystem_vendor: '0x8086\n', subsystem_device: '0x0001\n' });
    device(path.join(devices, '0000:00:01.0'), { ...gpu, subsystem_vendor: '0x0000\n', subsystem_device: '0x0000\n' });

    const inventory = await readInventory(devices, ids);

    assert.equal(
      inventory.map((d) => [
        d.id,
        d.subsystem_vendor_id,
        d.subsystem_vendor_name,
        d.subsystem_device_id,
        d.subsystem_device_name,
      ]),
      [
        ['0000:00:01.0', undefined, undefined, undefined, undefined],
        ['0000:03:00.0', '10de', 'NVIDIA Corporation', '1214', 'Tesla V100 PCIe 16GB'],
        ['0000:04:00.0', '8086', 'Intel Corporation', '0001', '0001'],
      ],
    );
    assert.not.ok('subsystem_vendor_id' in inventory[0]!);
  }),
);

test(
  'given entries with a missing, short or garbled file, or no directory at all, only they are skipped',
  withSysfs(async (devices) => {
    device(path.join(devices, '0000:01:00.0'), { class: '0x030000\n', vendor: '0x10de\n' });
    device(path.join(devices, '0000:02:00.0'), { class: '0x0300\n', vendor: '0x10de\n', device: '0x1db4\n' });
    device(path.join(devices, '0000:06:00.0'), { class: '0x030000\n', vendor: '0x10de\n', device: '0x1db4 x\n' });
    fs.writeFileSync(path.join(devices, '0000:07:00.0'), 'a file, not a directory');
    device(path.join(devices, '0000:08:00.0'), { class: '0x030000\n', vendor: '0x10de\n', device: '0x1db4\n' });

    const inventory = await readInventory(devices, ids);

    assert.equal(
      inventory.map((d) => d.id),
      ['0000:08:00.0'],
    );
  }),
);

test(
  'given an empty device directory, the inventory is empty',
  withSysfs(async (devices) => {
    assert.equal(await readInventory(devices, ids), []);
  }),
);

test(
  'given a device directory that does not exist, the inventory is empty',
  withSysfs(async (_devices, root) => {
    assert.equal(await readInventory(path.join(root, 'no-such-dir'), ids), []);
  }),
);

test(
  'given a device path that is a file, reading fails as a host failure',
  withSysfs(async (_devices, root) => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, '');
    try {
      await readInventory(file, ids);
      assert.unreachable('read a file as a directory');
    } catch (error) {
      assert.instance(error, PassthruError);
      assert.is((error as PassthruError).kind, 'host_failure');
      assert.match((error as PassthruError).message, 'ENOTDIR');
    }
  }),
);

test.run();
