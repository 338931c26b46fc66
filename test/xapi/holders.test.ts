import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { World } from '../support/world.ts';
import { WITH_IOMMU, XlStandIn } from '../support/xl-standin.ts';
import { failure, LOGIN, serve, success, xmlRpc } from './support.ts';

const test = suite<{ world: World; sys: KernelSysfs; xl: XlStandIn; url: string }>('XAPI and who holds a device');
test.before.each(async (context) => {
  context.sys = safetyHost().bind(SPARE_NIC, 'igb');
  context.xl = new XlStandIn(context.sys.root, WITH_IOMMU, context.sys.root);
  context.world = await World.start([], {
    ...context.sys.env,
    PASSTHRU_DATA_DIR: join(context.sys.root, 'var'),
    PASSTHRU_XL: context.xl.program,
  });
  context.url = await serve(context.world);
});
test.after.each(async ({ world, sys }) => {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

test('given a guest holding a PCI, when xmlrpc.client reads it and enables its dom0 access, then other_config names the guest and the call is refused with OPERATION_NOT_ALLOWED', async ({
  world,
  xl,
  url,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  xl.guest(3, 'win10', [SPARE_NIC]);
  await world.post('/v1/reconcile');
  const [, record, enable, status] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_record', '$session', `$PCI:${SPARE_NIC}`],
    ['PCI.enable_dom0_access', '$session', `$PCI:${SPARE_NIC}`],
    ['PCI.get_dom0_access_status', '$session', `$PCI:${SPARE_NIC}`],
  ]);
  assert.equal(JSON.parse(record.Value.other_config.assigned_to), { domid: 3, name: 'win10' });
  assert.equal(enable, failure('OPERATION_NOT_ALLOWED', `${SPARE_NIC} is passed through to win10 (domain 3)`));
  assert.equal(status, success('disabled'));
  const refused = (await world.get('/v1/events?type=Dom0AccessRefused')).json().events;
  assert.equal(
    refused.map((e: { data: { reason: string }; metadata: { via: string } }) => [e.data.reason, e.metadata.via]),
    [['assigned', 'xapi']],
  );
});

test('given XAPI’s disable_dom0_access, then it keeps XAPI’s behaviour: the next boot, nothing handed over now', async ({
  world,
  url,
}) => {
  const [, disable] = await xmlRpc(url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${SPARE_NIC}`]]);
  assert.equal(disable, success('disable_on_reboot'));
  const nic = (await world.get(`/v1/pcis/${SPARE_NIC}`)).json();
  assert.equal([nic.driver, nic.assigned_to], ['igb', null]);
  const [, record] = await xmlRpc(url, [LOGIN, ['PCI.get_record', '$session', `$PCI:${SPARE_NIC}`]]);
  assert.is(record.Value.other_config.assigned_to, undefined);
});

test.run();
