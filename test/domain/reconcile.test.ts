import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceIdentity } from '../../domain/device.ts';
import { hiddenIn } from '../../domain/dom0-access.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { reconcile, type DeviceSighting } from '../../domain/reconcile.ts';

const test = suite('reconcile');

const id = parsePciAddress('0000:03:00.0');
const identity: DeviceIdentity = {
  id,
  class_id: '030000',
  class_name: 'VGA compatible controller',
  vendor_id: '10de',
  vendor_name: 'NVIDIA Corporation',
  device_id: '1db4',
  device_name: 'GV100GL [Tesla V100 PCIe 16GB]',
};
const sameBoot = { id: 'boot-1', isNew: false };
const newBoot = { id: 'boot-2', isNew: true };
const seen = (sighting: Partial<DeviceSighting>): DeviceSighting => ({
  id,
  identity,
  projected: 'enabled',
  live: hiddenIn('enabled'),
  ...sighting,
});

test('a device never recorded is discovered with its identity and live status', () => {
  assert.equal(reconcile([seen({ projected: null, live: hiddenIn('disabled_on_reboot') })], sameBoot), [
    {
      pci: id,
      event: {
        type: 'DeviceDiscovered',
        data: { ...identity, pci: id, status: 'disabled_on_reboot', cause: 'discovery' },
      },
    },
  ]);
});

test('a device never recorded and without identity yields nothing', () => {
  assert.equal(reconcile([seen({ projected: null, identity: null, live: hiddenIn('disabled') })], newBoot), []);
});

test('a device whose live status equals its projection yields nothing, on any boot', () => {
  for (const status of ['enabled', 'disabled', 'enabled_on_reboot', 'disabled_on_reboot'] as const) {
    assert.equal(reconcile([seen({ projected: status, live: hiddenIn(status) })], sameBoot), []);
    assert.equal(reconcile([seen({ projected: status, live: hiddenIn(status) })], newBoot), []);
  }
});

test('a pending list changed behind our back is an outside change, even on a new boot', () => {
  const expected = (boot: string) => [
    {
      pci: id,
      event: {
        type: 'Dom0AccessReconciled',
        data: { pci: id, status: 'disabled_on_reboot', previous: 'enabled', cause: 'outside_change', boot_id: boot },
      },
    },
  ];
  assert.equal(
    reconcile([seen({ projected: 'enabled', live: hiddenIn('disabled_on_reboot') })], sameBoot),
    expected('boot-1'),
  );
  assert.equal(
    reconcile([seen({ projected: 'enabled', live: hiddenIn('disabled_on_reboot') })], newBoot),
    expected('boot-2'),
  );
});

test('only the running list moved on a new boot: the reboot applied the pending change', () => {
  assert.equal(reconcile([seen({ projected: 'disabled_on_reboot', live: hiddenIn('disabled') })], newBoot), [
    {
      pci: id,
      event: {
        type: 'Dom0AccessReconciled',
        data: { pci: id, status: 'disabled', previous: 'disabled_on_reboot', cause: 'reboot', boot_id: 'boot-2' },
      },
    },
  ]);
});

test('only the running list moved on the same boot: an outside change', () => {
  assert.equal(reconcile([seen({ projected: 'enabled_on_reboot', live: hiddenIn('enabled') })], sameBoot), [
    {
      pci: id,
      event: {
        type: 'Dom0AccessReconciled',
        data: { pci: id, status: 'enabled', previous: 'enabled_on_reboot', cause: 'outside_change', boot_id: 'boot-1' },
      },
    },
  ]);
});

test('a recorded device gone from the inventory is still reconciled', () => {
  const corrections = reconcile(
    [seen({ identity: null, projected: 'disabled_on_reboot', live: hiddenIn('disabled') })],
    newBoot,
  );
  assert.equal(
    corrections.map((c) => [c.pci, c.event.type, c.event.data.cause]),
    [[id, 'Dom0AccessReconciled', 'reboot']],
  );
});

test('each device gets its own correction, in sighting order', () => {
  const other = parsePciAddress('0000:04:00.0');
  const corrections = reconcile(
    [
      seen({ id: other, projected: 'enabled', live: hiddenIn('enabled') }),
      seen({ id: other, projected: null, identity: { ...identity, id: other } }),
      seen({ projected: 'disabled_on_reboot', live: hiddenIn('disabled') }),
    ],
    newBoot,
  );
  assert.equal(
    corrections.map((c) => [c.pci, c.event.type]),
    [
      [other, 'DeviceDiscovered'],
      [id, 'Dom0AccessReconciled'],
    ],
  );
});

test.run();
