import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, NVME, World } from '../support/world.ts';
import { nextDom0Line, padDom0Line } from '../support/dom0-line.ts';

const test = suite<{ world: World }>('the next boot');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => {
  await world.close();
});

// A hide of one device on a line without the key adds ` xen-pciback.hide=(0000:03:00.0)`: 32 characters.
const ONE_HIDE = 32;

test('given a hide that makes the dom0 line exactly 991 characters, it is written', async ({ world }) => {
  padDom0Line(world, 991 - ONE_HIDE);
  const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(response.statusCode, 200);
  assert.is(nextDom0Line(world).length, 991);
  assert.is(await world.status(GPU.id), 'disabled_on_reboot');
});

test('given a hide that would make the dom0 line 992 characters, it is refused with 409 command_line_too_long and nothing changes', async ({
  world,
}) => {
  padDom0Line(world, 992 - ONE_HIDE);
  const before = nextDom0Line(world);
  const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(response.statusCode, 409);
  assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  const problem = response.json();
  assert.is(problem.reason, 'command_line_too_long');
  assert.is(problem.length, 992);
  assert.is(problem.limit, 991);
  assert.is(problem.more_devices, 0);
  assert.match(problem.detail, 'the dom0 line is 960 of 991 characters: 0 more devices fit');
  assert.is(nextDom0Line(world), before);
  assert.is(await world.status(GPU.id), 'enabled');
});

test('given room for one more device, a batch of two is refused whole, saying 1 more device fits', async ({ world }) => {
  await world.post(`/v1/pcis/${NVME.id}/hide`);
  // With the key on the line, each device takes 14 characters: room for one, not two.
  padDom0Line(world, 991 - 14 - 13);
  const response = await world.post('/v1/pcis/hide', { ids: [GPU.id, NIC.id] });
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'command_line_too_long');
  assert.match(response.json().detail, '1 more device fits');
  assert.is(await world.status(GPU.id), 'enabled');
  const one = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(one.statusCode, 200);
});

test('given a dom0 line already over the limit, an unhide that shortens it goes through', async ({ world }) => {
  await world.post(`/v1/pcis/${NVME.id}/hide`);
  padDom0Line(world, 1000);
  const response = await world.post(`/v1/pcis/${NVME.id}/unhide`);
  assert.is(response.statusCode, 200);
  assert.is(await world.status(NVME.id), 'enabled');
});

test.run();
