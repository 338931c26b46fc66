import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, World } from '../support/world.ts';
import { nextDom0Line, padDom0Line } from '../support/dom0-line.ts';
import { failure, LOGIN, serve, success, xmlRpc } from './support.ts';

// Through Python's xmlrpc.client, as XenAPI.py speaks to xapi.
const test = suite<{ world: World; url: string }>('XAPI: the next boot');
test.before.each(async (context) => {
  context.world = await World.start();
  context.url = await serve(context.world);
});
test.after.each(async ({ world }) => world.close());

test('given a disable_dom0_access that would make the dom0 line 992 characters, it fails OPERATION_NOT_ALLOWED saying how many more devices fit', async ({
  world,
  url,
}) => {
  const dataDir = world.config.dataDir;
  padDom0Line(dataDir, 992 - ` xen-pciback.hide=(${GPU.id})`.length);
  const before = nextDom0Line(dataDir);
  const [, refused] = await xmlRpc(url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${GPU.id}`]]);
  assert.is(refused.Status, 'Failure');
  assert.is(refused.ErrorDescription[0], 'OPERATION_NOT_ALLOWED');
  assert.match(refused.ErrorDescription[1], '0 more devices fit');
  assert.is(nextDom0Line(dataDir), before);
});

test('given exactly 991 characters after it, disable_dom0_access succeeds', async ({ world, url }) => {
  padDom0Line(world.config.dataDir, 991 - ` xen-pciback.hide=(${GPU.id})`.length);
  const [, hidden] = await xmlRpc(url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${GPU.id}`]]);
  assert.equal(hidden, success('disable_on_reboot'));
  assert.is(nextDom0Line(world.config.dataDir).length, 991);
});

test('given a hidden card replaced by another, disable_dom0_access (which carries no reason) fails OPERATION_NOT_ALLOWED, naming both cards', async (context) => {
  const { world } = context;
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const dir = join(world.dir, 'sysfs', NIC.id);
  writeFileSync(join(dir, 'device'), '0x1533\n');
  await world.restart();
  context.url = await serve(world);
  const [, refused] = await xmlRpc(context.url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${NIC.id}`]]);
  assert.equal(
    refused,
    failure(
      'OPERATION_NOT_ALLOWED',
      `nothing changed: ${NIC.id} was hidden as 8086:1521 (class 020000) but 8086:1533 (class 020000) sits there now: ` +
        `unhide it (passthru unhide ${NIC.id}), or confirm the new device with passthru hide ${NIC.id} --reason TEXT; ` +
        'a hide that confirms it needs a reason the history keeps (send "reason")',
    ),
  );
});

test.run();
