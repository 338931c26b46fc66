import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';
import { NIC, NVME, World } from '../support/world.ts';

// The stand-in xen-cmdline misbehaves on demand through PASSTHRU_SIMULATED_FAULT,
// which it inherits from this process.
const test = suite<{ world: World }>('xen-cmdline faults');
// Runs that answer keep the default timeout (10 s), far above a normal run: a loaded machine must not kill them.
const startWorld = async (env: Record<string, string> = {}) => {
  const world = await World.start(undefined, env);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  return world;
};
test.before.each(async (context) => {
  context.world = await startWorld();
  // The service notices its own write too: its look at it must not meet the faults below.
  await context.world.settled();
});
test.after.each(async ({ world }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
});

const bootConfig = (world: World) => world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide');

async function failsCleanly(world: World, fault: string, detail: RegExp): Promise<void> {
  const before = bootConfig(world);
  process.env.PASSTHRU_SIMULATED_FAULT = fault;
  const response = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  assert.is(response.statusCode, 502);
  assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.match(response.json().detail, detail);
  assert.is(bootConfig(world), before, 'the boot configuration is as it was');
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  const last = events[events.length - 1];
  assert.is(last.type, 'Dom0AccessChangeFailed');
  assert.is(last.data.command, 'unhide');
  assert.is(last.data.status, 'disabled_on_reboot');
  assert.match(last.data.reason, detail);
  assert.is(response.json().event.position, last.position);
  const retry = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  assert.is(retry.statusCode, 200, 'the service stays up and works once the fault is gone');
  assert.is(retry.json().dom0_access, 'enabled');
}

test('xen-cmdline exiting non-zero is a 502, recorded, nothing changed', ({ world }) =>
  failsCleanly(world, 'exit', /exited with 3: xen-cmdline: simulated failure/));

test('xen-cmdline failing only its write is a 502, recorded, nothing changed', ({ world }) =>
  failsCleanly(world, 'fail-set', /--delete-dom0 xen-pciback.hide: exited with 3/));

test('xen-cmdline hanging past the timeout is killed, a 502, recorded', async (context) => {
  // Only the run that hangs meets this timeout; it is still far above a normal run.
  await context.world.close();
  context.world = await startWorld({ PASSTHRU_XEN_CMDLINE_TIMEOUT_MS: '3000' });
  await failsCleanly(context.world, 'hang', /no answer within 3000 ms, killed/);
});

test('xen-cmdline printing garbage is a 502, recorded, nothing changed', ({ world }) =>
  failsCleanly(world, 'garbage', /printed something that is not a command line/));

test('a missing xen-cmdline is a 502 naming the program', async ({ world }) => {
  const { xenCmdline } = simulatedHostFiles(world.config.dataDir);
  renameSync(xenCmdline, `${xenCmdline}.gone`);
  const response = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  renameSync(`${xenCmdline}.gone`, xenCmdline);
  assert.is(response.statusCode, 502);
  assert.match(response.json().detail, /cannot run \(ENOENT\)/);
  assert.is(await world.status(NIC.id), 'disabled_on_reboot');
});

test('a write that succeeds followed by reads that fail: the change is recorded once, reads fail until xen-cmdline answers', async ({
  world,
}) => {
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get-after-write';
  const unhide = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  assert.is(unhide.statusCode, 200);
  assert.is(unhide.json().dom0_access, 'enabled');
  const read = await world.get(`/v1/pcis/${NIC.id}/dom0-access`);
  assert.is(read.statusCode, 502, 'the boot configuration changed, so the next read runs xen-cmdline, which fails');
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.settled();
  assert.is(await world.status(NIC.id), 'enabled');
  const { events } = (await world.get(`/v1/pcis/${NIC.id}/history`)).json();
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessDisabled', 'Dom0AccessEnabled'],
  );
});

test('a write whose first step lands and whose second fails is recorded as what xen-cmdline then holds', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `pciback.hide=(${NVME.id})`);
  await world.post('/v1/reconcile');
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-delete';
  // Moving pciback.hide writes xen-pciback.hide, then fails removing pciback.hide.
  const repair = await world.post('/v1/host/hide-list/repair', { pciback_hide: 'move' });
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  assert.is(repair.statusCode, 502);
  assert.match(repair.json().detail, 'could not repair the hide list: ');
  assert.is(
    world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide'),
    // xen-cmdline appends what it sets last, and prints in the line's order.
    `pciback.hide=(${NVME.id})\nxen-pciback.hide=(${NIC.id})(${NVME.id})\n`,
  );
  const history = (await world.get(`/v1/pcis/${NVME.id}/history`)).json().events;
  assert.equal(history.map((e: { type: string; data: { status: string } }) => [e.type, e.data.status]).slice(-1), [
    ['Dom0AccessReconciled', 'disabled_on_reboot'],
  ]);
  assert.is(await world.status(NVME.id), 'disabled_on_reboot');
  assert.is((await world.get(`/v1/pcis/${NVME.id}/state`)).json().status, 'disabled_on_reboot');
  assert.equal((await world.get('/v1/events?type=HideListRepaired')).json().events, []);
});

test('a status read while xen-cmdline fails is a 502, not a guess', async ({ world }) => {
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  // Rewritten as it was: the files changed, so the read must ask xen-cmdline again.
  const { bootConfig } = simulatedHostFiles(world.config.dataDir);
  writeFileSync(bootConfig, readFileSync(bootConfig));
  const response = await world.get(`/v1/pcis/${NIC.id}/dom0-access`);
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.settled();
  assert.is(response.statusCode, 502);
  assert.is(await world.status(NIC.id), 'disabled_on_reboot');
});

test.run();
