import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceIdentity } from '../../domain/device.ts';
import { desiredState, type DesiredStateDocument } from '../../domain/desired-state/document.ts';
import { planDesiredState, type PlanHost } from '../../domain/desired-state/plan.ts';
import { coveredDevices, formatHideList, parseHideList } from '../../domain/hide-list.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { PassthruError } from '../../domain/errors.ts';

const test = suite('desired state: the document and the pure plan');

const device = (id: string, vendor: string, deviceId: string, classId: string): DeviceIdentity => ({
  id: id as PciAddress,
  class_id: classId,
  class_name: classId,
  vendor_id: vendor,
  vendor_name: vendor,
  device_id: deviceId,
  device_name: deviceId,
});

const INVENTORY = [
  device('0000:03:00.0', '10de', '1db4', '030200'),
  device('0000:03:00.1', '10de', '10f2', '040300'),
  device('0000:04:00.0', '8086', '1521', '020000'),
  device('0000:04:00.1', '8086', '1521', '020000'),
  device('0000:05:00.0', '8086', '1521', '020000'),
];
const known = INVENTORY.map((d) => d.id);

/** A host whose next boot's list is `pending` and whose running kernel hid `current`. */
function host(pending: string, current: readonly string[] = []): PlanHost {
  const list = parseHideList(pending);
  const hidden = coveredDevices(list, known);
  return {
    inventory: INVENTORY,
    recorded: known,
    pending: list,
    live: (id) => ({ current: current.includes(id), pending: hidden.has(id) }),
    devicesOf: (l) => coveredDevices(l, known),
    protections: () => [],
    dependencies: () => [],
    holderOf: () => null,
    holdersUnknown: null,
  };
}

const plan = (document: DesiredStateDocument, on: PlanHost) => planDesiredState(desiredState(document), on);
const moves = (document: DesiredStateDocument, on: PlanHost) =>
  plan(document, on).changes.map((c) => `${c.id} ${c.from} -> ${c.to}`);

test('given an identity two NICs share, when planned with functions: all, then both NICs and the other function of each slot are taken', () => {
  const outcome = plan({ hidden: [{ match: { vendor: '8086', device: '1521' }, functions: 'all' }] }, host(''));
  assert.equal(outcome.hide, ['0000:04:00.0', '0000:04:00.1', '0000:05:00.0']);
  assert.is(formatHideList(outcome.hideList), '(0000:04:00.0)(0000:04:00.1)(0000:05:00.0)');
});

test('given an id with functions: all, when planned, then every function of its slot is taken', () => {
  assert.equal(moves({ hidden: [{ id: '03:00.0', functions: 'all' }] }, host('')), [
    '0000:03:00.0 enabled -> disabled_on_reboot',
    '0000:03:00.1 enabled -> disabled_on_reboot',
  ]);
});

test('given a slot wildcard in the list, when exact keeps one of its functions, then the other is given back and the wildcard gives way to an entry', () => {
  const outcome = plan({ mode: 'exact', hidden: [{ id: '0000:04:00.0' }] }, host('(04:00.*)'));
  assert.equal(outcome.unhide, ['0000:04:00.1']);
  assert.is(formatHideList(outcome.hideList), '(0000:04:00.0)');
});

test('given a device hidden at the next boot only, when planned with apply: now, then it becomes disabled, and with next-boot nothing changes', () => {
  const on = host('(0000:04:00.0)');
  assert.equal(moves({ apply: 'now', hidden: [{ id: '04:00.0' }] }, on), [
    '0000:04:00.0 disabled_on_reboot -> disabled',
  ]);
  assert.equal(moves({ hidden: [{ id: '04:00.0' }] }, on), []);
});

test('given exact with apply: now, when a device the running kernel hid is not named, then it is given back now too', () => {
  assert.equal(moves({ mode: 'exact', apply: 'now', hidden: [] }, host('', ['0000:05:00.0'])), [
    '0000:05:00.0 enabled_on_reboot -> enabled',
  ]);
});

test('given an address the host lacks, when planned, then it is refused as unknown, and an identity no device has is a warning', () => {
  const outcome = plan({ hidden: [{ id: '0000:0a:00.0' }, { match: { vendor: '1002', device: '744c' } }] }, host(''));
  assert.equal(outcome.refusals, [
    {
      id: '0000:0a:00.0',
      reason: 'unknown_device',
      detail: '/hidden/0 names 0000:0a:00.0, which this host does not have',
    },
  ]);
  assert.equal(outcome.warnings, ['/hidden/1 matches no device on this host']);
  assert.equal(outcome.changes, []);
});

test('given two entries taking one device, when planned, then the first entry is the one the change names', () => {
  const outcome = plan(
    {
      hidden: [
        { match: { vendor: '10de', device: '1db4' }, reason: 'first' },
        { id: '03:00.0', reason: 'second' },
      ],
    },
    host(''),
  );
  assert.equal(outcome.changes[0]!.entry, {
    pointer: '/hidden/0',
    match: { vendor: '10de', device: '1db4' },
    functions: 'one',
    reason: 'first',
  });
});

test('given documents with no mode or apply, then they default to at_least and next-boot, and an address is made canonical', () => {
  assert.equal(desiredState({ hidden: [{ id: '0A:00.0' }] }), {
    mode: 'at_least',
    apply: 'next-boot',
    hidden: [{ id: '0000:0a:00.0' as PciAddress, functions: 'one' }],
  });
});

test('given the same device named twice by address, then the document is refused at the second', () => {
  try {
    desiredState({ hidden: [{ id: '0000:03:00.0' }, { id: '03:00.0' }] });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, PassthruError);
    assert.equal((error as PassthruError).details, { pointer: '/hidden/1/id' });
  }
});

test.run();
