import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { safetyHost } from '../support/safety-host.ts';
import { sriovCard, SRIOV_PF, SRIOV_VFS } from '../support/sriov-card.ts';
import { World } from '../support/world.ts';

const test = suite<{ world: World; sys: KernelSysfs }>('SR-IOV virtual functions over REST');
test.before.each(async (context) => {
  context.sys = sriovCard(safetyHost());
  context.world = await World.start([], context.sys.env);
});
test.after.each(async ({ world, sys }) => {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

const [VF, SIBLING] = SRIOV_VFS as [string, string];

test('given an SR-IOV card with ARI, when one virtual function is hidden, then it is hidden alone, with no warning about its physical function or sibling functions', async ({
  world,
}) => {
  const response = await world.post(`/v1/pcis/${VF}/hide`);
  assert.is(response.statusCode, 200);
  assert.is(response.json().dom0_access, 'disabled_on_reboot');
  assert.equal(response.json().dependencies, []);
  assert.equal(response.json().warnings, []);
  assert.is(world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide'), `xen-pciback.hide=(${VF})\n`);
  assert.is(await world.status(SRIOV_PF), 'enabled');
  assert.is(await world.status(SIBLING), 'enabled');
});

test('given an SR-IOV card with ARI, when its records are read, then neither the physical function nor any virtual function lists another', async ({
  world,
}) => {
  const records = (await world.get('/v1/pcis')).json() as { id: string; dependencies: string[] }[];
  const card = new Set([SRIOV_PF, ...SRIOV_VFS]);
  assert.equal(
    records.filter((r) => card.has(r.id)).map((r) => [r.id, r.dependencies]),
    [SRIOV_PF, ...SRIOV_VFS].map((id) => [id, []]),
  );
});

test.run();
