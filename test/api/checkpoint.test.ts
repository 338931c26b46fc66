import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PciAddress } from '../../domain/pci-address.ts';
import { GPU, NIC, World } from '../support/world.ts';

const test = suite<{ world: World }>('projection checkpoint');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => world.close());

const checkpointPath = (world: World) => join(world.config.dataDir, 'projections.checkpoint.json');
const dbPath = (world: World) => join(world.config.dataDir, 'events.db');

test('a stop writes a checkpoint at the last event, and a start resumes from it', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.stop();
  const checkpoint = JSON.parse(readFileSync(checkpointPath(world), 'utf8'));
  assert.equal(checkpoint.last, { id: checkpoint.last.id, stream: `pci-test-host@${NIC.id}`, revision: 1 });
  await world.boot();
  assert.is(world.passthru.projector.position, checkpoint.position);
  assert.is((await world.get(`/v1/pcis/${NIC.id}/state`)).json().status, 'disabled_on_reboot');
});

test('a checkpoint of another store is not trusted: the views are folded again from the first event', async ({
  world,
}) => {
  await world.stop();
  copyFileSync(dbPath(world), join(world.dir, 'before.db'));
  await world.boot();
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  await world.stop();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath(world)}${suffix}`, { force: true });
  copyFileSync(join(world.dir, 'before.db'), dbPath(world));
  await world.boot();
  assert.is((await world.get(`/v1/pcis/${GPU.id}/history`)).json().events.length, 2, 'discovered, then reconciled');
  const state = (await world.get(`/v1/pcis/${GPU.id}/state`)).json();
  assert.is(state.status, 'disabled_on_reboot');
  assert.is(state.last_change.cause, 'outside_change');
});

test('an unreadable or misshapen checkpoint is set aside and the views are rebuilt', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.stop();
  for (const damaged of ['{ not json', 'null', '{"version":2,"host_id":"test-host","position":0,"last":null}']) {
    writeFileSync(checkpointPath(world), damaged);
    await world.boot();
    assert.is(world.passthru.projector.pci.devices[NIC.id as PciAddress]?.status, 'disabled_on_reboot', damaged);
    await world.stop();
  }
  await world.boot();
});

test('a device event without a device or a status is passed over by the views, not fatal at start', async ({
  world,
}) => {
  const metadata = { at: new Date().toISOString(), actor: 'import', correlation_id: 'x', host: 'test-host' };
  await world.passthru.store.append(
    `pci-test-host@${NIC.id}`,
    [
      { id: 'broken-1', type: 'Dom0AccessDisabled', data: null, metadata },
      { id: 'broken-2', type: 'Dom0AccessEnabled', data: { pci: NIC.id, status: 'sideways' }, metadata },
    ],
    'any',
  );
  await world.stop();
  rmSync(checkpointPath(world));
  await world.boot();
  assert.is((await world.get('/healthz')).statusCode, 200);
  assert.is(world.passthru.projector.pci.devices[NIC.id as PciAddress]?.status, 'enabled');
});

test.run();
