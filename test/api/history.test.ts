import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NIC, World } from '../support/world.ts';

const test = suite<{ world: World }>('history, time travel and rebuild');
test.before.each(async (context) => {
  context.world = await World.start();
  const { world } = context;
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.reboot();
  await world.post(`/v1/pcis/${NIC.id}/unhide`);
});
test.after.each(async ({ world }) => world.close());

test('history lists the device’s events oldest first, with positions and revisions', async ({ world }) => {
  const page = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  assert.equal(
    page.events.map((e: { revision: number; type: string }) => [e.revision, e.type]),
    [
      [0, 'DeviceDiscovered'],
      [1, 'Dom0AccessDisabled'],
      [2, 'Dom0AccessReconciled'],
      [3, 'Dom0AccessEnabled'],
    ],
  );
  assert.is(page.next, null);
  const positions = page.events.map((e: { position: number }) => e.position);
  assert.equal(
    positions,
    [...positions].sort((a, b) => a - b),
  );
});

test('history pages with after and limit', async ({ world }) => {
  const first = (await world.get(`/v1/pcis/${NIC.id}/history?limit=3`)).json();
  assert.is(first.events.length, 3);
  assert.is(first.next, 2);
  const second = (await world.get(`/v1/pcis/${NIC.id}/history?limit=3&after=${first.next}`)).json();
  assert.equal(
    second.events.map((e: { revision: number }) => e.revision),
    [3],
  );
  assert.is(second.next, null);
});

test('state at a revision is the device as it was then', async ({ world }) => {
  const at = async (revision: number) => (await world.get(`/v1/pcis/${NIC.id}/state?at=${revision}`)).json();
  assert.equal(
    [(await at(0)).status, (await at(1)).status, (await at(2)).status, (await at(3)).status],
    ['enabled', 'disabled_on_reboot', 'disabled', 'enabled_on_reboot'],
  );
  assert.is((await at(2)).last_change.cause, 'reboot');
  const beyond = await world.get(`/v1/pcis/${NIC.id}/state?at=9`);
  assert.is(beyond.statusCode, 404);
  assert.is(beyond.json().detail, `${NIC.id} has revisions 0 to 3, not 9`);
});

test('the global feed pages in store order and filters by type', async ({ world }) => {
  const all = (await world.get('/v1/events?limit=1000')).json().events;
  const first = (await world.get('/v1/events?limit=2')).json();
  assert.equal(first.events, all.slice(0, 2));
  const rest = (await world.get(`/v1/events?limit=1000&after=${first.next}`)).json();
  assert.equal(rest.events, all.slice(2));
  const boots = (await world.get('/v1/events?type=BootObserved')).json().events;
  assert.is(boots.length, 2);
  assert.ok(boots.every((e: { stream: string }) => e.stream === 'host-test-host'));
});

test('a rebuild from the first event equals the live projection', async ({ world }) => {
  const live = structuredClone(world.passthru.projector.pci);
  const livePgpu = structuredClone(world.passthru.projector.pgpu);
  const applied = await world.passthru.projector.rebuild();
  assert.ok(applied > 0);
  assert.equal(world.passthru.projector.pci, live);
  assert.equal(world.passthru.projector.pgpu, livePgpu);
});

test('a restart resumes from the checkpoint and equals a rebuild', async ({ world }) => {
  await world.restart();
  const resumed = structuredClone(world.passthru.projector.pci);
  await world.passthru.projector.rebuild();
  assert.equal(world.passthru.projector.pci, resumed);
});

test.run();
