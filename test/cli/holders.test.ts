import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SPARE_NIC } from '../support/safety-host.ts';
import { startCliXlHost, stopCliXlHost, type CliXlHost } from '../support/cli-xl-host.ts';
import { eventually } from '../support/eventually.ts';

const test = suite<CliXlHost>('passthru CLI: who holds a device, and --now');

test.before(async (context) => {
  Object.assign(context, await startCliXlHost('cli-holders'));
});

test.after((context) => stopCliXlHost(context));

test('given --now, when a NIC is hidden, then it is disabled at once and pciback holds it', async ({ passthru }) => {
  const run = await passthru('hide', '--now', SPARE_NIC);
  assert.equal([run.code, run.stdout, run.stderr], [0, `${SPARE_NIC}: disabled\n`, '']);
  const [nic] = JSON.parse((await passthru('doctor', '--json')).stdout).devices;
  assert.equal([nic.id, nic.driver, nic.ready], [SPARE_NIC, 'pciback', true]);
});

test('given a guest holding it, then status and doctor name the guest, and unhide is refused naming it', async ({
  passthru,
  xl,
}) => {
  xl.guest(3, 'Win 10', [SPARE_NIC]);
  // status asks the service, whose holder poll sees a guest within 5 s; doctor reads the host at once.
  await eventually(
    async () => new RegExp(`^${SPARE_NIC} +disabled +Win 10 \\(3\\) +`, 'm').test((await passthru('status')).stdout),
    'status naming the guest',
  );
  assert.match(
    (await passthru('doctor')).stdout,
    new RegExp(`^${SPARE_NIC} +disabled +pciback +ready +Win 10 \\(3\\) +`, 'm'),
  );
  assert.equal(JSON.parse((await passthru('status', SPARE_NIC, '--json')).stdout).assigned_to, {
    domid: 3,
    name: 'Win 10',
    vm_uuid: '00000000-0000-4000-8000-000000000003',
  });
  const run = await passthru('unhide', '--now', SPARE_NIC);
  assert.is(run.code, 1);
  assert.match(run.stderr, `passthru unhide: ${SPARE_NIC} is passed through to Win 10 (domain 3)`);
});

test('given xenstore that cannot be read, then status and doctor say the holder is unknown, not none, and --now is refused', async ({
  passthru,
  xl,
}) => {
  xl.xenstoreFails('xenstore: xs_open: Connection refused');
  try {
    // status asks the service, whose holder poll finds xenstore unreadable within 5 s.
    let status = '';
    await eventually(async () => {
      status = (await passthru('status')).stdout;
      return new RegExp(`^${SPARE_NIC} +disabled +unknown +`, 'm').test(status);
    }, 'status saying the holder is unknown');
    assert.match(status, /^Holders: unknown, xenstore could not be read \(.*Connection refused\)$/m);
    const doctor = await passthru('doctor');
    assert.is(doctor.code, 1);
    assert.match(
      doctor.stdout,
      new RegExp(`^  ${SPARE_NIC} holder_unknown: which guest holds ${SPARE_NIC} cannot be known`, 'm'),
    );
    const run = await passthru('unhide', '--now', SPARE_NIC);
    assert.is(run.code, 1);
    assert.match(run.stderr, 'cannot be read from xenstore');
  } finally {
    xl.xenstoreFails(null);
  }
});

test('given the guest gone, when unhidden --now, then dom0’s driver has it back at once', async ({ passthru, xl }) => {
  xl.noGuests();
  const run = await passthru('unhide', '--now', SPARE_NIC);
  assert.equal([run.code, run.stdout], [0, `${SPARE_NIC}: enabled\n`]);
  const history = (await passthru('history', SPARE_NIC)).stdout;
  assert.match(history, /AppliedNow .* handed to pciback from igb$/m);
  assert.match(history, /Dom0AccessRefused .* held by Win 10 \(domain 3\)$/m);
  assert.match(history, /AppliedNow .* given back to dom0's igb from pciback$/m);
});

test.run();
