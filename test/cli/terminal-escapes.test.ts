import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SPARE_NIC } from '../support/safety-host.ts';
import { eventually } from '../support/eventually.ts';
import { startCliXlHost, stopCliXlHost, type CliXlHost } from '../support/cli-xl-host.ts';

// What would move the cursor up, erase the line and write a row of its own on an admin's terminal.
const FORGED = 'for vm-1\r\x1b[1A\x1b[2K\n9  9  2026-01-01T00:00:00Z  Dom0AccessEnabled  enabled';
const FORGED_SEEN = 'for vm-1\\r\\x1b[1A\\x1b[2K\\n9  9  2026-01-01T00:00:00Z  Dom0AccessEnabled  enabled';
// Any control character but the newline that ends each line, DEL, the C1 controls.
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const test = suite<CliXlHost>('passthru CLI: stored and host text with control characters is printed visibly');

test.before(async (context) => {
  Object.assign(context, await startCliXlHost('cli-escapes'));
});

test.after((context) => stopCliXlHost(context));

test('given a reason with CR, ESC and a newline, when history is printed, then the row shows them as escapes and no row is forged', async ({
  passthru,
}) => {
  const hide = await passthru('hide', '--now', SPARE_NIC, '--reason', FORGED);
  assert.is(hide.code, 0, hide.stderr);
  const history = await passthru('history', SPARE_NIC);
  assert.is(history.code, 0);
  assert.not.match(history.stdout, CONTROL);
  const lines = history.stdout.trimEnd().split('\n');
  const events = JSON.parse((await passthru('history', SPARE_NIC, '--json')).stdout);
  assert.is(lines.length, events.length + 1, 'a header and one line an event');
  assert.ok(lines.filter((line) => line.endsWith(FORGED_SEEN)).length >= 1, history.stdout);
});

test('given a guest whose name holds escapes, when status and doctor name it, then they print it visibly', async ({
  passthru,
  xl,
}) => {
  xl.guest(3, 'win10\x1b[2K\x1b]0;owned\x07', [SPARE_NIC]);
  // status asks the service, whose holder poll names a new guest within 5 s; doctor reads the host at once.
  await eventually(async () => (await passthru('status')).stdout.includes('(3)'), 'status naming the guest');
  for (const command of ['status', 'doctor']) {
    const run = await passthru(command);
    assert.not.match(run.stdout, CONTROL, command);
    assert.match(run.stdout, `win10\\x1b[2K\\x1b]0;owned\\x07 (3)`, command);
  }
  xl.noGuests();
});

test.run();
