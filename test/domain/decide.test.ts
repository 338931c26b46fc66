import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { failed, type Dom0AccessCommand } from '../../domain/decide.ts';
import { hiddenIn } from '../../domain/dom0-access.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { spec } from '../support/decider-spec.ts';

const test = suite('decide');

const pci = parsePciAddress('0000:03:00.0');
const hide: Dom0AccessCommand = { name: 'hide', pci, via: 'pci' };
const unhide: Dom0AccessCommand = { name: 'unhide', pci, via: 'pci' };

test('hide on an enabled device disables dom0 access at the next reboot', () => {
  spec
    .given(hiddenIn('enabled'))
    .when(hide)
    .then({
      kind: 'change',
      pendingHidden: true,
      event: {
        type: 'Dom0AccessDisabled',
        data: { pci, status: 'disabled_on_reboot', previous: 'enabled', cause: 'command', via: 'pci' },
      },
    });
});

test('hide on an enabled_on_reboot device takes the reboot change back: disabled', () => {
  spec
    .given(hiddenIn('enabled_on_reboot'))
    .when(hide)
    .then({
      kind: 'change',
      pendingHidden: true,
      event: {
        type: 'Dom0AccessDisabled',
        data: { pci, status: 'disabled', previous: 'enabled_on_reboot', cause: 'command', via: 'pci' },
      },
    });
});

test('hide on a device already pending hidden changes nothing', () => {
  spec.given(hiddenIn('disabled_on_reboot')).when(hide).thenUnchanged();
  spec.given(hiddenIn('disabled')).when(hide).thenUnchanged();
});

test('unhide on a disabled device enables dom0 access at the next reboot', () => {
  spec
    .given(hiddenIn('disabled'))
    .when(unhide)
    .then({
      kind: 'change',
      pendingHidden: false,
      event: {
        type: 'Dom0AccessEnabled',
        data: { pci, status: 'enabled_on_reboot', previous: 'disabled', cause: 'command', via: 'pci' },
      },
    });
});

test('unhide on a disabled_on_reboot device takes the reboot change back: enabled', () => {
  spec
    .given(hiddenIn('disabled_on_reboot'))
    .when(unhide)
    .then({
      kind: 'change',
      pendingHidden: false,
      event: {
        type: 'Dom0AccessEnabled',
        data: { pci, status: 'enabled', previous: 'disabled_on_reboot', cause: 'command', via: 'pci' },
      },
    });
});

test('unhide on a device not pending hidden changes nothing', () => {
  spec.given(hiddenIn('enabled')).when(unhide).thenUnchanged();
  spec.given(hiddenIn('enabled_on_reboot')).when(unhide).thenUnchanged();
});

for (const via of ['pci', 'pgpu', 'xapi'] as const) {
  test(`a command through ${via} records via ${via}`, () => {
    spec
      .given(hiddenIn('enabled'))
      .when({ ...hide, via })
      .then({
        kind: 'change',
        pendingHidden: true,
        event: {
          type: 'Dom0AccessDisabled',
          data: { pci, status: 'disabled_on_reboot', previous: 'enabled', cause: 'command', via },
        },
      });
  });
}

test('a failed command is recorded with the known status, the command, via and the reason', () => {
  assert.equal(failed({ ...unhide, via: 'pgpu' }, 'disabled', 'xen-cmdline exited with 1'), {
    type: 'Dom0AccessChangeFailed',
    data: {
      pci,
      command: 'unhide',
      status: 'disabled',
      cause: 'command',
      via: 'pgpu',
      reason: 'xen-cmdline exited with 1',
    },
  });
});

test.run();
