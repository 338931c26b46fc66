import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dom0AccessCommand } from '../../domain/decide.ts';
import { hiddenIn } from '../../domain/dom0-access.ts';
import { conflict } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import { specOf, type Decider } from '../support/decider-spec.ts';

// The given/when/then helper is itself tested: an assertion that cannot fail proves nothing.
const test = suite('the decider spec helper');

const hide: Dom0AccessCommand = { name: 'hide', pci: parsePciAddress('0000:03:00.0'), via: 'pci' };
const refusing: Decider = () => {
  throw conflict('the device holds the root file system');
};
const crashing: Decider = () => {
  throw new TypeError('cannot read properties of undefined');
};
const deciding: Decider = (_command, live) => ({ kind: 'unchanged', live });

function fails(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'did not fail';
}

test('thenThrows passes on a domain refusal of the kind asked, its message matching', () => {
  specOf(refusing)
    .given(hiddenIn('enabled'))
    .when(hide)
    .thenThrows('conflict', /root file system/);
});

test('thenThrows fails on another kind, another message, any other exception, or no throw', () => {
  const then = (decider: Decider) => specOf(decider).given(hiddenIn('enabled')).when(hide);
  assert.match(
    fails(() => then(refusing).thenThrows('not_found')),
    'refused as conflict',
  );
  assert.match(
    fails(() => then(refusing).thenThrows('conflict', /boot/)),
    'Expected value to match',
  );
  assert.is(
    fails(() => then(crashing).thenThrows('conflict')),
    'cannot read properties of undefined',
  );
  assert.match(
    fails(() => then(deciding).thenThrows('conflict')),
    'expected a conflict refusal',
  );
});

test.run();
