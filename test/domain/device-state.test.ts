import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceIdentity } from '../../domain/device.ts';
import { evolve, type DeviceState } from '../../domain/device-state.ts';
import type { DeviceEvent } from '../../domain/events.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';

const test = suite('device state');

const pci = parsePciAddress('0000:03:00.0');
const identity: DeviceIdentity = {
  id: pci,
  class_id: '030000',
  class_name: 'VGA compatible controller',
  vendor_id: '10de',
  vendor_name: 'NVIDIA Corporation',
  device_id: '1db4',
  device_name: 'GV100GL',
};
const discovered: DeviceEvent = {
  type: 'DeviceDiscovered',
  data: { ...identity, pci, status: 'enabled', cause: 'discovery' },
};
const disabled: DeviceEvent = {
  type: 'Dom0AccessDisabled',
  data: { pci, status: 'disabled_on_reboot', previous: 'enabled', cause: 'command', via: 'pci' },
};
const rebooted: DeviceEvent = {
  type: 'Dom0AccessReconciled',
  data: { pci, status: 'disabled', previous: 'disabled_on_reboot', cause: 'reboot', boot_id: 'boot-2' },
};
const failedUnhide = (status: 'disabled' | 'enabled'): DeviceEvent => ({
  type: 'Dom0AccessChangeFailed',
  data: { pci, command: 'unhide', status, cause: 'command', via: 'xapi', reason: 'timed out' },
});

const at = (n: number) => `2025-01-0${n + 1}T00:00:00.000Z`;
/** Folds the events as revisions 0, 1, 2... each stored a day after the last. */
const replay = (...events: DeviceEvent[]) =>
  events.reduce<DeviceState | undefined>(
    (state, event, revision) => evolve(state, event, { revision, at: at(revision) }),
    undefined,
  );

test('a discovered device has its identity, status and discovery as its last change', () => {
  assert.equal(replay(discovered), {
    id: pci,
    revision: 0,
    identity,
    status: 'enabled',
    last_change: { type: 'DeviceDiscovered', at: at(0), cause: 'discovery' },
    failures: 0,
  });
});

test('a disable then a reconcile move the status and the last change, and keep the identity', () => {
  assert.equal(replay(discovered, disabled, rebooted), {
    id: pci,
    revision: 2,
    identity,
    status: 'disabled',
    last_change: { type: 'Dom0AccessReconciled', at: at(2), cause: 'reboot' },
    failures: 0,
  });
});

test('failed changes count up, keep the last real change, and take the status the event gives', () => {
  assert.equal(replay(discovered, disabled, rebooted, failedUnhide('disabled'), failedUnhide('disabled')), {
    id: pci,
    revision: 4,
    identity,
    status: 'disabled',
    last_change: { type: 'Dom0AccessReconciled', at: at(2), cause: 'reboot' },
    failures: 2,
  });
  assert.is(replay(discovered, disabled, rebooted, failedUnhide('enabled'))?.status, 'enabled');
});

test('a successful change after failures keeps the failure count', () => {
  const enabled: DeviceEvent = {
    type: 'Dom0AccessEnabled',
    data: { pci, status: 'enabled_on_reboot', previous: 'disabled', cause: 'command', via: 'pci' },
  };
  assert.equal(replay(discovered, disabled, rebooted, failedUnhide('disabled'), enabled), {
    id: pci,
    revision: 4,
    identity,
    status: 'enabled_on_reboot',
    last_change: { type: 'Dom0AccessEnabled', at: at(4), cause: 'command' },
    failures: 1,
  });
});

test('a stream that starts without a discovery has no identity', () => {
  assert.equal(replay(disabled), {
    id: pci,
    revision: 0,
    identity: null,
    status: 'disabled_on_reboot',
    last_change: { type: 'Dom0AccessDisabled', at: at(0), cause: 'command' },
    failures: 0,
  });
});

test.run();
