import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeEvent } from '../../page/src/describe-event.ts';

const test = suite('events in the operator page’s words');

const entry = (type: string, data: Record<string, unknown>) => ({
  position: 1,
  revision: 0,
  type,
  at: '2026-01-01T00:00:00.000Z',
  data,
  metadata: { actor: 'admin', reason: 'typo' },
});

test('given a hide list repair, when described, then it says what was dropped, fixed and moved, as a command', () => {
  const words = describeEvent(
    entry('HideListRepaired', {
      dropped: ['(zz)'],
      fixed: [{ entry: '(03:00.8)', pci: '0000:03:00.1' }],
      pciback_hide: 'move',
    }),
  );
  assert.equal(
    [words.title, words.cause, words.reason],
    ['Hide list repaired (dropped (zz), (03:00.8) as 0000:03:00.1, pciback.hide moved)', 'command', 'typo'],
  );
});

test('given a device changed by a repair, when described, then it says so rather than a change by hand', () => {
  const words = describeEvent(
    entry('Dom0AccessReconciled', { pci: '0000:03:00.1', status: 'disabled_on_reboot', cause: 'hide_list_repair' }),
  );
  assert.equal(
    [words.title, words.cause, words.status],
    ['Changed by a hide list repair', 'command', 'disabled_on_reboot'],
  );
});

test('given hides through each door, when described, then the REST route says nothing more, a PGPU or XAPI says so in words', () => {
  assert.equal(
    (['pci', 'pgpu', 'xapi'] as const).map(
      (via) => describeEvent(entry('Dom0AccessDisabled', { pci: '0000:03:00.0', via })).title,
    ),
    ['Hidden from dom0', 'Hidden from dom0 through its PGPU', 'Hidden from dom0 over XAPI'],
  );
});

test('given a refusal and a forced hide, when described, then their protections are in words, their details as recorded', () => {
  const refused = describeEvent(
    entry('Dom0AccessRefused', {
      pci: '0000:02:00.0',
      command: 'hide',
      reason: 'protected',
      protected: [{ reason: 'management_interface', detail: 'xenbr0 (eth0)' }],
    }),
  );
  assert.is(refused.protection, 'management network interface: xenbr0 (eth0)');
  const forced = describeEvent(
    entry('Dom0AccessDisabled', {
      pci: '0000:01:00.0',
      via: 'pci',
      forced: true,
      overridden: [{ reason: 'boot_device', detail: '/dev/nvme0n1p2 on /' }],
    }),
  );
  assert.is(forced.forced, 'boot device: /dev/nvme0n1p2 on /');
});

test('given a plan made, when described, then it says how many devices it would change and whether it refuses any', () => {
  const words = describeEvent(
    entry('PlanMade', { id: 'p', changes: [{ id: '0000:03:00.0' }, { id: '0000:03:00.1' }], refusals: [{ id: 'x' }] }),
  );
  assert.equal([words.title, words.cause], ['Plan made: 2 devices to change, with refusals', 'command']);
  assert.is(describeEvent(entry('PlanMade', { changes: [], refusals: [] })).title, 'Plan made: nothing to change');
});

test('given a client that said on whose behalf it asked, when described, then the actor is the token and the rest a claim', () => {
  const said = {
    ...entry('Dom0AccessDisabled', { pci: '0000:03:00.0' }),
    metadata: { actor: 'xo', on_behalf_of: 'reconciler' },
  };
  assert.is(describeEvent(said).actor, 'xo (claims reconciler)');
  assert.is(describeEvent(entry('Dom0AccessDisabled', { pci: '0000:03:00.0' })).actor, 'admin');
});

test.run();
