import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, NVME, TOKEN, World } from '../support/world.ts';

const test = suite<{ world: World }>('hide and unhide commands');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => world.close());

test('a hide on a device already pending hidden succeeds, appends nothing and says so', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  const before = (await world.get(`/v1/pcis/${NIC.id}/history`)).json().events.length;
  const again = await world.post(`/v1/pcis/${NIC.id}/hide`);
  assert.is(again.statusCode, 200);
  assert.is(again.json().changed, false);
  assert.is(again.json().event, null);
  assert.is(again.json().dom0_access, 'disabled_on_reboot');
  assert.is((await world.get(`/v1/pcis/${NIC.id}/history`)).json().events.length, before);
});

test('an unhide on an enabled device changes nothing', async ({ world }) => {
  const response = await world.post(`/v1/pcis/${NVME.id}/unhide`);
  assert.is(response.statusCode, 200);
  assert.is(response.json().changed, false);
  assert.is(response.json().dom0_access, 'enabled');
});

test('a short or upper-case address is the same device, shown canonical', async ({ world }) => {
  await world.stop();
  world.plug({ id: '0000:0a:1f.3', class: '0x020000' });
  await world.boot();
  const response = await world.post('/v1/pcis/0A:1F.3/hide');
  assert.is(response.statusCode, 200);
  assert.is(response.json().id, '0000:0a:1f.3');
  assert.equal((await world.get('/v1/pcis/0000:0A:1f.3/dom0-access')).json(), {
    id: '0000:0a:1f.3',
    status: 'disabled_on_reboot',
  });
  assert.equal((await world.get('/v1/host')).json().pending, ['0000:0a:1f.3']);
});

test('the hide writes xen-pciback.hide in the boot configuration and nothing else', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(
    world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide'),
    'xen-pciback.hide=(0000:03:00.0)(0000:04:00.0)\n',
  );
  await world.post(`/v1/pcis/${NIC.id}/unhide`);
  await world.post(`/v1/pcis/${GPU.id}/unhide`);
  assert.is(world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide'), '\n');
});

test('a device under pciback.hide, which no kernel reads, stays enabled, and a hide of another leaves that key as it is', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'pciback.hide=(0000:04:00.0)(0000:05:00.0)');
  assert.is(await world.status(NIC.id), 'enabled');
  const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(response.json().dom0_access, 'disabled_on_reboot');
  assert.is(
    world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide'),
    // xen-cmdline prints one matching argument a line.
    'pciback.hide=(0000:04:00.0)(0000:05:00.0)\nxen-pciback.hide=(0000:03:00.0)\n',
  );
});

test('every change event carries its status, cause and metadata', async ({ world }) => {
  const response = await world.request({
    method: 'POST',
    url: `/v1/pcis/${NIC.id}/hide`,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req-42', 'passthru-actor': 'alice' },
    payload: { reason: 'pass through to vm-7' },
  });
  assert.is(response.statusCode, 200);
  assert.is(response.headers['x-request-id'], 'req-42');
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  const last = events[events.length - 1];
  assert.equal(last.data, {
    pci: NIC.id,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'command',
    via: 'pci',
    // The hardware hidden, told apart from another card put at the address later.
    identity: { class_id: '020000', vendor_id: '8086', device_id: '1521' },
  });
  assert.is(last.metadata.actor, 'admin', 'the token is the actor');
  assert.is(last.metadata.on_behalf_of, 'alice', 'what the client said, beside it');
  assert.is(last.metadata.correlation_id, 'req-42');
  assert.is(last.metadata.reason, 'pass through to vm-7');
  assert.is(last.metadata.host, 'test-host');
  assert.ok(!Number.isNaN(Date.parse(last.at)));
  assert.equal(response.json().event, { type: 'Dom0AccessDisabled', position: last.position, revision: last.revision });
});

test('16 concurrent hides on different devices all land in the hide list', async ({ world }) => {
  await world.stop();
  const ids = Array.from({ length: 16 }, (_, i) => `0000:10:${i.toString(16).padStart(2, '0')}.0`);
  for (const id of ids) world.plug({ id, class: '0x020000' });
  await world.boot();
  const responses = await Promise.all(ids.map((id) => world.post(`/v1/pcis/${id}/hide`)));
  assert.equal(
    responses.map((r) => r.statusCode),
    ids.map(() => 200),
  );
  const host = (await world.get('/v1/host')).json();
  assert.equal(host.pending, ids);
  for (const id of ids) assert.is(await world.status(id), 'disabled_on_reboot');
  const feed = (await world.get('/v1/events?type=Dom0AccessDisabled&limit=1000')).json();
  assert.is(feed.events.length, 16);
});

test.run();
