import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NIC, NVME, World } from '../support/world.ts';

const test = suite<{ world: World }>('live status reads');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
});

test('while the boot configuration is unchanged, reads do not run xen-cmdline again', async ({ world }) => {
  assert.is(await world.status(NIC.id), 'enabled');
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  const reads = await Promise.all(Array.from({ length: 20 }, () => world.get(`/v1/pcis/${NIC.id}/dom0-access`)));
  assert.equal(
    reads.map((r) => r.statusCode),
    reads.map(() => 200),
  );
});

test('the first read after a change by hand sees it', async ({ world }) => {
  assert.is(await world.status(NVME.id), 'enabled');
  for (const [list, expected] of [
    [`(${NVME.id})`, 'disabled_on_reboot'],
    [`(${NIC.id})`, 'enabled'],
    [`(${NVME.id})(${NIC.id})`, 'disabled_on_reboot'],
  ] as const) {
    world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=${list}`);
    assert.is(await world.status(NVME.id), expected, list);
  }
});

test.run();

const uncached = suite<{ world: World }>('live status reads with caching turned off');
uncached.before(async (context) => {
  context.world = await World.start(undefined, { PASSTHRU_BOOT_CONFIG: 'none' });
});
uncached.after(async ({ world }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
});

uncached('every read runs xen-cmdline', async ({ world }) => {
  assert.is(await world.status(NIC.id), 'enabled');
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-get';
  assert.is((await world.get(`/v1/pcis/${NIC.id}/dom0-access`)).statusCode, 502);
});

uncached.run();
