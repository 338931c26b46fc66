import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SPARE_NIC } from '../support/safety-host.ts';
import { closeXlWorld, startXlWorld, type XlWorld } from '../support/xl-world.ts';
import { failure, LOGIN, serve, success, xmlRpc } from './support.ts';

const test = suite<XlWorld & { url: string }>('XAPI and who holds a device, on an XCP-ng twin');
test.before.each(async (context) => {
  Object.assign(context, await startXlWorld());
  context.url = await serve(context.world);
});
test.after.each(closeXlWorld);

const GUEST = { domid: 3, name: 'Win 10 GPU', vm_uuid: '00000000-0000-4000-8000-000000000003' };

test('given an HVM guest of xenopsd holding a PCI, when xmlrpc.client reads it and enables its dom0 access, then other_config names the guest from xenstore and the call is refused with OPERATION_NOT_ALLOWED', async ({
  world,
  xl,
  url,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  xl.guest(3, 'Win 10 GPU', [SPARE_NIC]);
  await world.post('/v1/reconcile');
  const [, record, enable, status] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_record', '$session', `$PCI:${SPARE_NIC}`],
    ['PCI.enable_dom0_access', '$session', `$PCI:${SPARE_NIC}`],
    ['PCI.get_dom0_access_status', '$session', `$PCI:${SPARE_NIC}`],
  ]);
  assert.equal(JSON.parse(record.Value.other_config.assigned_to), GUEST);
  assert.equal(enable, failure('OPERATION_NOT_ALLOWED', `${SPARE_NIC} is passed through to Win 10 GPU (domain 3)`));
  assert.equal(status, success('disabled'));
  const refused = (await world.get('/v1/events?type=Dom0AccessRefused')).json().events;
  assert.equal(
    refused.map((e: { data: { reason: string }; metadata: { via: string } }) => [e.data.reason, e.metadata.via]),
    [['assigned', 'xapi']],
  );
});

test('given xenstore that cannot be read, when xmlrpc.client reads a PCI pciback holds, then it names no guest yet its verdict says the holder is unknown', async ({
  world,
  xl,
  url,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  xl.guest(3, 'Win 10 GPU', [SPARE_NIC]).xenstoreFails('xenstore: xs_open: Connection refused');
  await world.post('/v1/reconcile');
  const [, record] = await xmlRpc(url, [LOGIN, ['PCI.get_record', '$session', `$PCI:${SPARE_NIC}`]]);
  assert.is(record.Value.other_config.assigned_to, undefined);
  const verdict = JSON.parse(record.Value.other_config.passthrough);
  assert.is(verdict.ready, false);
  assert.equal(
    verdict.problems.map((p: { code: string }) => p.code),
    ['holder_unknown'],
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
