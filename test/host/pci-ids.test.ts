import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPciIds } from '../../services/host/pci-ids.ts';

const test = suite('pci.ids database');

const FIXTURE = [
  '#\tList of PCI IDs',
  '# Syntax:',
  '# vendor  vendor_name',
  '#\tdevice  device_name\t\t\t\t<-- single tab',
  '',
  '10de  NVIDIA Corporation',
  '\t1db4  GV100GL [Tesla V100 PCIe 16GB]',
  '\t\t10de 1214  Tesla V100 PCIe 16GB',
  '\t1e87  TU104 [GeForce RTX 2080 Rev. A]',
  '8086  Intel Corporation',
  '\t1521  I350 Gigabit Network Connection',
  '',
  '# List of known device classes, subclasses and programming interfaces',
  'C 02  Network controller',
  '\t00  Ethernet controller',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
  '\t\t00  VGA controller',
  '\t\t01  8514 controller',
  '\t02  3D controller',
  'C 0c  Serial bus controller',
  '\t03  USB controller',
  '\t\t30  XHCI',
  '',
].join('\n');

function withFixture(run: (file: string, dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-'));
  try {
    const file = path.join(dir, 'pci.ids');
    fs.writeFileSync(file, FIXTURE);
    run(file, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('given a pci.ids, a known vendor answers its name', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.vendorName('10de'), 'NVIDIA Corporation');
    assert.is(ids.vendorName('8086'), 'Intel Corporation');
  });
});

test('given a pci.ids, a known device answers its name under its own vendor only', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.deviceName('10de', '1db4'), 'GV100GL [Tesla V100 PCIe 16GB]');
    assert.is(ids.deviceName('10de', '1e87'), 'TU104 [GeForce RTX 2080 Rev. A]');
    assert.is(ids.deviceName('8086', '1521'), 'I350 Gigabit Network Connection');
    assert.is(ids.deviceName('8086', '1db4'), null);
  });
});

test('given a pci.ids, subsystem lines are not taken for devices', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.deviceName('10de', '1214'), null);
  });
});

test('given a pci.ids, a subsystem answers its name under its own vendor and device only', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.subsystemName('10de', '1db4', '10de', '1214'), 'Tesla V100 PCIe 16GB');
    assert.is(ids.subsystemName('10de', '1e87', '10de', '1214'), null);
    assert.is(ids.subsystemName('10de', '1db4', '10de', '1215'), null);
  });
});

test('given a pci.ids, a class code answers its subclass name, as lspci shows it, else its base class', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.className('030000'), 'VGA compatible controller');
    assert.is(ids.className('030001'), 'VGA compatible controller');
    assert.is(ids.className('030200'), '3D controller');
    assert.is(ids.className('0c0330'), 'USB controller');
    assert.is(ids.className('020000'), 'Ethernet controller');
    assert.is(ids.className('038000'), 'Display controller');
  });
});

test('given a pci.ids, unknown ids and malformed class codes answer null', () => {
  withFixture((file) => {
    const ids = loadPciIds([file]);
    assert.is(ids.vendorName('1234'), null);
    assert.is(ids.deviceName('1234', '5678'), null);
    assert.is(ids.className('ff0000'), null);
    assert.is(ids.className('0300'), null);
    assert.is(ids.className('C 03'), null);
  });
});

test('given several candidate paths, the first existing file is read', () => {
  withFixture((file, dir) => {
    const other = path.join(dir, 'other.ids');
    fs.writeFileSync(other, '10de  Another name\n');
    const ids = loadPciIds([path.join(dir, 'missing.ids'), file, other]);
    assert.is(ids.vendorName('10de'), 'NVIDIA Corporation');
    assert.is(ids.source, file);
  });
});

test('given a file with CRLF line ends, names carry no carriage return', () => {
  withFixture((file) => {
    fs.writeFileSync(file, FIXTURE.replace(/\n/g, '\r\n'));
    const ids = loadPciIds([file]);
    assert.is(ids.vendorName('10de'), 'NVIDIA Corporation');
    assert.is(ids.className('030000'), 'VGA compatible controller');
  });
});

test('given no pci.ids at all, the database is empty rather than an error', () => {
  withFixture((_file, dir) => {
    const ids = loadPciIds([path.join(dir, 'none.ids'), path.join(dir, 'nor-this.ids')]);
    assert.is(ids.source, null);
    assert.is(ids.vendorName('10de'), null);
    assert.is(ids.deviceName('10de', '1db4'), null);
    assert.is(ids.className('030000'), null);
  });
});

test.run();
