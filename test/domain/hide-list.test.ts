import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  coveredDevices,
  editHideList,
  explicitHideList,
  formatHideList,
  hidingBridge,
  parseHideList,
  type HideList,
} from '../../domain/hide-list.ts';
import type { PciAddress } from '../../domain/pci-address.ts';

const test = suite('hide list entries as xen-pciback reads them');

const ids = (...addresses: string[]) => addresses as PciAddress[];
const hidden = (value: string, known: string[] = []) => [...coveredDevices(parseHideList(value), ids(...known))].sort();
const HOST = ids('0000:03:00.0', '0000:03:00.1', '0000:03:01.0', '0000:04:00.0', '0001:03:00.0');

test('given long and short entries in any case, when read, then each is its canonical device', () => {
  assert.equal(hidden('(0000:0A:1f.7)(03:00.0)(0001:00:00.0)'), ['0000:03:00.0', '0000:0a:1f.7', '0001:00:00.0']);
});

test('given a domain of any number of hex digits, when read, then it is the same domain', () => {
  assert.equal(hidden('(00000:03:00.0)(1:04:00.0)(0000000002:05:00.1)'), [
    '0000:03:00.0',
    '0001:04:00.0',
    '0002:05:00.1',
  ]);
});

test('given blanks between and inside entries, as sscanf allows, when read, then they are skipped', () => {
  assert.equal(hidden('  (03:00.0) ( 0000: 04: 00. 1)  '), ['0000:03:00.0', '0000:04:00.1']);
});

test('given (B:S.*) and (D:B:S.*), when matched against the inventory, then every function of the slot is hidden', () => {
  assert.equal(hidden('(03:00.*)', HOST), ['0000:03:00.0', '0000:03:00.1']);
  assert.equal(hidden('(0001:03:00.*)', HOST), ['0001:03:00.0']);
});

test('given (B:*.*) and (D:B:*.*), when matched against the inventory, then every device of the bus is hidden', () => {
  assert.equal(hidden('(03:*.*)', HOST), ['0000:03:00.0', '0000:03:00.1', '0000:03:01.0']);
  assert.equal(hidden('(0000:04:*.*)', HOST), ['0000:04:00.0']);
});

test('given an entry xen-pciback cannot parse or finds out of range, when read, then the list hides nothing and each bad entry is kept verbatim', () => {
  for (const [value, readable, unreadable] of [
    ['(03:00.0)(zz:00.0)(04:00.0)', ['0000:03:00.0', '0000:04:00.0'], ['(zz:00.0)']],
    ['(03:00.0)(03:*.1)', ['0000:03:00.0'], ['(03:*.1)']],
    ['(03:20.0)', [], ['(03:20.0)']],
    ['(03:00.8)(04:00.0)(05:00.9)', ['0000:04:00.0'], ['(03:00.8)', '(05:00.9)']],
    ['(10000:03:00.0)', [], ['(10000:03:00.0)']],
    ['(0000:03:00.0', [], ['(0000:03:00.0']],
    ['0000:03:00.0', [], ['0000:03:00.0']],
    ['((03:00.0))', ['0000:03:00.0'], ['(', ')']],
    ['()', [], ['()']],
    ['(03:00.0);reboot', ['0000:03:00.0'], [';reboot']],
  ] as const) {
    const list = parseHideList(value);
    assert.equal([...coveredDevices(list, HOST)], [], value);
    assert.equal([...coveredDevices({ ...list, unreadable: [] }, [])].sort(), readable, value);
    assert.equal(list.unreadable, unreadable, value);
  }
});

test('given an empty or blank value, when read, then it hides nothing and nothing is unreadable', () => {
  assert.equal(parseHideList(''), { entries: [], unreadable: [] });
  assert.equal(parseHideList(' \t'), { entries: [], unreadable: [] });
});

const edit = (list: HideList, hide: string[], unhide: string[]) =>
  formatHideList(editHideList(list, { hide: ids(...hide), unhide: ids(...unhide) }, HOST));

test('given explicit entries, when devices are hidden and unhidden, then the list is sorted and deduplicated', () => {
  const list = explicitHideList(ids('0000:04:00.0'));
  assert.is(edit(list, ['0000:03:00.0', '0000:04:00.0'], []), '(0000:03:00.0)(0000:04:00.0)');
  assert.is(edit(list, [], ['0000:04:00.0']), '');
});

test('given a wildcard, when a device it covers is hidden, then nothing is added and the wildcard stays as written', () => {
  assert.is(edit(parseHideList('(03:00.*)'), ['0000:03:00.1'], []), '(03:00.*)');
});

test('given a wildcard, when a device it covers is unhidden, then the wildcard becomes the devices that stay hidden', () => {
  assert.is(edit(parseHideList('(03:00.*)'), [], ['0000:03:00.0']), '(0000:03:00.1)');
  assert.is(
    edit(parseHideList('(0000:03:*.*)(0000:04:00.0)'), [], ['0000:03:00.1']),
    '(0000:03:00.0)(0000:03:01.0)(0000:04:00.0)',
  );
});

test('given a wildcard not covering the device unhidden, when edited, then it is kept as written', () => {
  assert.is(edit(parseHideList('(04:*.*)(03:00.0)'), [], ['0000:03:00.0']), '(04:*.*)');
});

test('given an unreadable entry, when the list is formatted, then the entry is never written back', () => {
  assert.is(formatHideList(parseHideList('(03:00.0)(zz)(04:00.0)')), '(0000:03:00.0)(0000:04:00.0)');
});

const BRIDGE = '0000:00:1c.0' as PciAddress;
const BELOW = ids('0000:03:00.0', '0000:03:00.1');
const bridgesAbove = (address: PciAddress) => (BELOW.includes(address) ? [BRIDGE] : []);

test('given a hidden bridge, when matched against the inventory, then every device below it is hidden with it', () => {
  const known = [BRIDGE, ...HOST];
  assert.equal([...coveredDevices(parseHideList('(00:1c.0)'), known, bridgesAbove)].sort(), [
    '0000:00:1c.0',
    '0000:03:00.0',
    '0000:03:00.1',
  ]);
  assert.equal([...coveredDevices(parseHideList('(00:*.*)'), known, bridgesAbove)].sort(), [
    '0000:00:1c.0',
    '0000:03:00.0',
    '0000:03:00.1',
  ]);
  assert.is(hidingBridge(parseHideList('(00:1c.0)'), '0000:03:00.1' as PciAddress, bridgesAbove), BRIDGE);
  assert.is(hidingBridge(parseHideList('(03:00.1)'), '0000:03:00.1' as PciAddress, bridgesAbove), null);
});

test('given any list passthru writes, when read back, then it hides the same devices', () => {
  const list = editHideList(
    parseHideList('(03:*.*)(0001:03:00.0)'),
    { hide: ids('0000:04:00.0'), unhide: ids('0000:03:01.0') },
    HOST,
  );
  const again = parseHideList(formatHideList(list));
  assert.equal([...coveredDevices(again, HOST)].sort(), [...coveredDevices(list, HOST)].sort());
  assert.equal([...coveredDevices(again, HOST)].sort(), [
    '0000:03:00.0',
    '0000:03:00.1',
    '0000:04:00.0',
    '0001:03:00.0',
  ]);
});

test.run();
