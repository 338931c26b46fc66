import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DOM0_ACCESS_STATUSES, dom0AccessStatus, hiddenIn } from '../../domain/dom0-access.ts';

const test = suite('dom0 access status');

// DESIGN.md's table: hidden means dom0 cannot use the device.
const TABLE = [
  { current: false, pending: false, status: 'enabled' },
  { current: true, pending: true, status: 'disabled' },
  { current: false, pending: true, status: 'disabled_on_reboot' },
  { current: true, pending: false, status: 'enabled_on_reboot' },
] as const;

for (const { current, pending, status } of TABLE) {
  test(`a device ${current ? 'hidden' : 'not hidden'} now and ${pending ? 'hidden' : 'not hidden'} at next boot is ${status}`, () => {
    assert.is(dom0AccessStatus({ current, pending }), status);
  });
}

test('the table names every status exactly once', () => {
  assert.equal(TABLE.map((row) => row.status).sort(), [...DOM0_ACCESS_STATUSES].sort());
});

for (const status of DOM0_ACCESS_STATUSES) {
  test(`hiddenIn(${status}) is the one pair whose status is ${status}`, () => {
    const pair = hiddenIn(status);
    assert.is(dom0AccessStatus(pair), status);
    const row = TABLE.find((r) => r.status === status)!;
    assert.equal(pair, { current: row.current, pending: row.pending });
  });
}

test('hiddenIn of an unknown status throws rather than guessing', () => {
  assert.throws(() => hiddenIn('hidden' as never), /unreachable/);
});

test.run();
