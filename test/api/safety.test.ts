import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import {
  bareHost,
  EFI_DETAIL,
  GPU,
  GPU_AUDIO,
  GPU_PORT,
  ISCSI_DETAIL,
  ISCSI_MANAGEMENT_NIC,
  ISCSI_NIC,
  ISCSI_SPARE_NIC,
  iscsiHost,
  LEGACY_A,
  LEGACY_B,
  MANAGEMENT_DETAIL,
  MANAGEMENT_NIC,
  NIC_PORT,
  NVME,
  PCI_BRIDGE,
  ROOT_DETAIL,
  ROOT_PORT,
  safetyHost,
  SATA,
  SR_DETAIL,
  SPARE_NIC,
  SPARE_PORT,
  VGA,
} from '../support/safety-host.ts';
import { World } from '../support/world.ts';

const test = suite<{ world: World; sys: KernelSysfs; writes: () => string[] }>('protected devices and dependencies');

test.before.each(async (context) => {
  context.sys = safetyHost();
  const log = join(context.sys.root, 'xen-cmdline.log');
  const dataDir = join(context.sys.root, 'var');
  // Counts the runs of xen-cmdline that change the boot configuration, then runs the stand-in.
  const counting = join(context.sys.root, 'xen-cmdline');
  writeFileSync(counting, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${dataDir}/host/xen-cmdline' "$@"\n`);
  chmodSync(counting, 0o755);
  context.writes = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line === '--set-dom0' || line === '--delete-dom0');
  context.world = await World.start([], {
    ...context.sys.env,
    PASSTHRU_DATA_DIR: dataDir,
    PASSTHRU_XEN_CMDLINE: counting,
  });
});
test.after.each(async ({ world, sys }) => {
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

const pending = (world: World) => world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide');
const history = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}/history`)).json().events;
const last = async (world: World, id: string) => (await history(world, id)).at(-1);

test('given the host, when the PCI records are read, then each says whether it is protected and why, and what must move with it', async ({
  world,
}) => {
  const records = (await world.get('/v1/pcis')).json();
  const safety = Object.fromEntries(
    records.map((r: { id: string; protected: unknown; dependencies: unknown }) => [
      r.id,
      { protected: r.protected, dependencies: r.dependencies },
    ]),
  );
  const boot = [
    { reason: 'boot_device', detail: ROOT_DETAIL },
    { reason: 'boot_device', detail: EFI_DETAIL },
  ];
  const management = [{ reason: 'management_interface', detail: MANAGEMENT_DETAIL }];
  assert.equal(safety, {
    [ROOT_PORT]: { protected: boot, dependencies: [] },
    [NVME]: { protected: boot, dependencies: [] },
    [VGA]: {
      protected: [{ reason: 'system_display', detail: 'boot_vga: the display dom0 boots its console on' }],
      dependencies: [],
    },
    [GPU_PORT]: { protected: null, dependencies: [] },
    [GPU]: { protected: null, dependencies: [GPU_AUDIO] },
    [GPU_AUDIO]: { protected: null, dependencies: [GPU] },
    [NIC_PORT]: { protected: management, dependencies: [] },
    [MANAGEMENT_NIC]: { protected: management, dependencies: [] },
    [SPARE_PORT]: { protected: null, dependencies: [] },
    [SPARE_NIC]: { protected: null, dependencies: [] },
    [SATA]: { protected: [{ reason: 'local_sr', detail: SR_DETAIL }], dependencies: [] },
    [PCI_BRIDGE]: { protected: null, dependencies: [] },
    [LEGACY_A]: { protected: null, dependencies: [LEGACY_B] },
    [LEGACY_B]: { protected: null, dependencies: [LEGACY_A] },
  });
});

for (const [what, id, reason, path] of [
  ['the NVMe holding / through LVM', NVME, 'boot_device', ROOT_DETAIL],
  ['the root port in front of that NVMe', ROOT_PORT, 'boot_device', ROOT_DETAIL],
  ['the NIC under the management bridge', MANAGEMENT_NIC, 'management_interface', MANAGEMENT_DETAIL],
  ['the SATA controller of the local LVM SR', SATA, 'local_sr', SR_DETAIL],
  ['the boot VGA', VGA, 'system_display', 'boot_vga: the display dom0 boots its console on'],
] as const) {
  test(`given ${what}, when it is hidden, then the answer is a 409 naming why, nothing changes, and the refusal is recorded with who asked`, async ({
    world,
    writes,
  }) => {
    const response = await world.request({
      method: 'POST',
      url: `/v1/pcis/${id}/hide`,
      headers: { authorization: 'Bearer test-token-0123456789', 'passthru-actor': 'ops:alice' },
    });
    assert.is(response.statusCode, 409);
    assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = response.json();
    assert.is(problem.reason, reason);
    assert.is(problem.path, path);
    assert.match(problem.detail, `${id} is protected (${reason}: ${path}`);
    assert.match(problem.detail, 'send {"force": true}');
    assert.is(pending(world), '\n');
    assert.equal(writes(), []);
    assert.is(await world.status(id), 'enabled');
    const refused = await last(world, id);
    assert.is(refused.type, 'Dom0AccessRefused');
    assert.is(refused.data.status, 'enabled');
    assert.is(refused.data.protected[0].reason, reason);
    assert.is(refused.metadata.actor, 'admin');
    assert.is(refused.metadata.on_behalf_of, 'ops:alice');
    assert.is(problem.event.position, refused.position);
  });
}

test('given a protected device, when hidden with force, then it is hidden and the event records what was overridden', async ({
  world,
}) => {
  const response = await world.post(`/v1/pcis/${NVME}/hide`, { force: true, reason: 'moving dom0 to the SATA disk' });
  assert.is(response.statusCode, 200);
  assert.is(response.json().dom0_access, 'disabled_on_reboot');
  assert.is(pending(world), `xen-pciback.hide=(${NVME})\n`);
  const event = await last(world, NVME);
  assert.is(event.type, 'Dom0AccessDisabled');
  assert.is(event.data.forced, true);
  assert.equal(event.data.overridden, [
    { reason: 'boot_device', detail: ROOT_DETAIL },
    { reason: 'boot_device', detail: EFI_DETAIL },
  ]);
  assert.is(event.metadata.reason, 'moving dom0 to the SATA disk');
});

test('given an unprotected device, when hidden with force, then nothing is recorded as overridden', async ({
  world,
}) => {
  assert.is((await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { force: true })).statusCode, 200);
  const event = await last(world, SPARE_NIC);
  assert.is(event.data.forced, undefined);
  assert.is(event.data.overridden, undefined);
});

test('given a protected device, when unhidden, then it is allowed: dom0 only gets back what it had', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${MANAGEMENT_NIC}/hide`, { force: true });
  const response = await world.post(`/v1/pcis/${MANAGEMENT_NIC}/unhide`);
  assert.is(response.statusCode, 200);
  assert.is(response.json().dom0_access, 'enabled');
});

test('given a GPU whose audio function shares its IOMMU group, when only the GPU is hidden, then the hide succeeds with a warning naming the audio function', async ({
  world,
}) => {
  const gpu = await world.post(`/v1/pcis/${GPU}/hide`);
  assert.is(gpu.statusCode, 200);
  assert.is(gpu.json().dom0_access, 'disabled_on_reboot');
  assert.equal(gpu.json().warnings, [
    `${GPU} must move with ${GPU_AUDIO}, but it stays with dom0: hide it too for passthrough of ${GPU} to work`,
  ]);
  const audio = await world.post(`/v1/pcis/${GPU_AUDIO}/hide`);
  assert.equal(audio.json().warnings, []);
  const back = await world.post(`/v1/pcis/${GPU_AUDIO}/unhide`);
  assert.equal(back.json().warnings, [
    `${GPU} must move with ${GPU_AUDIO}, but it stays with dom0: hide it too for passthrough of ${GPU} to work`,
  ]);
});

test('given devices that must move together, when hidden in one batch, then one edit hides them all, one event each under one correlation id, no warning', async ({
  world,
  writes,
}) => {
  const response = await world.post('/v1/pcis/hide', { ids: [GPU, '03:00.1', LEGACY_A, LEGACY_B], reason: 'for vm-7' });
  assert.is(response.statusCode, 200);
  const { results, warnings } = response.json();
  assert.equal(warnings, []);
  assert.equal(
    results.map((r: { record: { id: string; dom0_access: string }; changed: boolean }) => [
      r.record.id,
      r.record.dom0_access,
      r.changed,
    ]),
    [GPU, GPU_AUDIO, LEGACY_A, LEGACY_B].map((id) => [id, 'disabled_on_reboot', true]),
  );
  assert.equal(writes(), ['--set-dom0']);
  assert.is(pending(world), `xen-pciback.hide=(${GPU})(${GPU_AUDIO})(${LEGACY_A})(${LEGACY_B})\n`);
  const events = await Promise.all([GPU, GPU_AUDIO, LEGACY_A, LEGACY_B].map((id) => last(world, id)));
  assert.equal(
    events.map((e) => e.type),
    Array(4).fill('Dom0AccessDisabled'),
  );
  assert.is(new Set(events.map((e) => e.metadata.correlation_id)).size, 1);
  assert.equal(
    results.map((r: { event: { position: number } }) => r.event.position),
    events.map((e) => e.position),
  );
  assert.ok(events.every((e) => e.metadata.reason === 'for vm-7'));
});

test('given a batch with a device already hidden, when run, then only the others change', async ({ world }) => {
  await world.post(`/v1/pcis/${GPU}/hide`);
  const { results } = (await world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO] })).json();
  assert.equal(
    results.map((r: { changed: boolean; event: unknown }) => [r.changed, r.event === null]),
    [
      [false, true],
      [true, false],
    ],
  );
});

test('given a batch unhide, when run, then one edit gives them all back', async ({ world, writes }) => {
  await world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO, SPARE_NIC] });
  const response = await world.post('/v1/pcis/unhide', { ids: [GPU, GPU_AUDIO] });
  assert.is(response.statusCode, 200);
  assert.equal(response.json().warnings, []);
  assert.is(pending(world), `xen-pciback.hide=(${SPARE_NIC})\n`);
  assert.equal(writes(), ['--set-dom0', '--set-dom0']);
});

for (const [what, ids, status] of [
  ['an unknown id', [GPU, '0000:0f:00.0'], 404],
  ['a malformed id', [GPU, '03:00.9'], 400],
  ['an id listed twice', [GPU, '0000:03:00.0'], 400],
  ['no id', [], 400],
] as const) {
  test(`given a batch with ${what}, when run, then it is refused whole (${status}) and nothing is written`, async ({
    world,
    writes,
  }) => {
    const response = await world.post('/v1/pcis/hide', { ids });
    assert.is(response.statusCode, status);
    assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(writes(), []);
    assert.is(await world.status(GPU), 'enabled');
    assert.is((await history(world, GPU)).length, 1);
  });
}

test('given a batch with a protected id, when run, then it is refused whole, the refusal recorded for the protected one only', async ({
  world,
  writes,
}) => {
  const response = await world.post('/v1/pcis/hide', { ids: [GPU, NVME, GPU_AUDIO] });
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'boot_device');
  assert.match(response.json().detail, 'the batch is refused, nothing changed');
  assert.equal(response.json().refused, [
    {
      id: NVME,
      protected: [
        { reason: 'boot_device', detail: ROOT_DETAIL },
        { reason: 'boot_device', detail: EFI_DETAIL },
      ],
    },
  ]);
  assert.equal(writes(), []);
  assert.is((await last(world, NVME)).type, 'Dom0AccessRefused');
  assert.is((await history(world, GPU)).length, 1);
  const forced = await world.post('/v1/pcis/hide', { ids: [GPU, NVME, GPU_AUDIO], force: true });
  assert.is(forced.statusCode, 200);
  assert.equal(writes(), ['--set-dom0']);
});

test('given a xen-cmdline whose write fails outright, when a batch runs, then nothing changes', async ({ world }) => {
  process.env.PASSTHRU_SIMULATED_FAULT = 'fail-set';
  const response = await world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO] });
  delete process.env.PASSTHRU_SIMULATED_FAULT;
  assert.is(response.statusCode, 502);
  assert.is(pending(world), '\n');
  assert.equal(
    (await Promise.all([GPU, GPU_AUDIO].map((id) => last(world, id)))).map((e) => e.type),
    ['Dom0AccessChangeFailed', 'Dom0AccessChangeFailed'],
  );
});

test('given a hide list written by hand with a slot wildcard, when read, then every function of the slot is hidden', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide=(03:00.*)');
  assert.is(await world.status(GPU), 'disabled_on_reboot');
  assert.is(await world.status(GPU_AUDIO), 'disabled_on_reboot');
  assert.is(await world.status(SPARE_NIC), 'enabled');
  assert.equal((await world.get('/v1/host')).json().pending, [GPU, GPU_AUDIO]);
});

test('given a slot wildcard, when one function is unhidden, then the wildcard is rewritten as the function that stays hidden', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide=(0000:03:*.*)');
  const response = await world.post(`/v1/pcis/${GPU}/unhide`);
  assert.is(response.statusCode, 200);
  assert.is(response.json().dom0_access, 'enabled');
  assert.is(pending(world), `xen-pciback.hide=(${GPU_AUDIO})\n`);
  const events = await history(world, GPU);
  assert.equal(
    events.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessReconciled', 'Dom0AccessEnabled'],
  );
});

test('given a wildcard, when a device it covers is hidden, then nothing is written and the wildcard stays', async ({
  world,
  writes,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide=(00005:*.*)');
  const response = await world.post(`/v1/pcis/${LEGACY_B}/hide`);
  assert.is(response.json().changed, false);
  assert.equal(writes(), []);
  assert.is(pending(world), 'xen-pciback.hide=(00005:*.*)\n');
});

test('given a wildcard written by hand with blanks inside (quoted), when another device is hidden, then the wildcard is written back as xen-pciback reads it, without them', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide="(0000:03: 00.*)"');
  assert.is(await world.status(GPU), 'disabled_on_reboot');
  const response = await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  assert.is(response.statusCode, 200);
  assert.is(pending(world), `xen-pciback.hide=(${SPARE_NIC})(0000:03:00.*)\n`);
  for (const id of [GPU, GPU_AUDIO, SPARE_NIC]) assert.is(await world.status(id), 'disabled_on_reboot', id);
});

test("given an entry xen-pciback cannot parse in the next boot's list, when read, then the next boot hides nothing and the host record and readiness say why", async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(03:00.8)(${SPARE_NIC})`);
  assert.is((await world.get('/v1/pcis')).statusCode, 200);
  for (const id of [GPU, SPARE_NIC]) assert.is(await world.status(id), 'enabled', 'xen-pciback rejects the whole list');
  const host = (await world.get('/v1/host')).json();
  assert.equal(host.pending, []);
  assert.equal(host.unreadable, { current: [], pending: ['(03:00.8)'] });
  assert.equal(
    host.hide_list_problems.map((p: Record<string, unknown>) => [p.code, p.list, p.key, p.entries]),
    [['hide_list_rejected', 'pending', 'xen-pciback.hide', ['(03:00.8)']]],
  );
  assert.match(host.hide_list_problems[0].detail, 'will reject the whole list and hide no device at all');
  const gpu = (await world.get(`/v1/pcis/${GPU}`)).json();
  assert.equal(
    gpu.passthrough.problems.map((p: { code: string }) => p.code),
    ['hide_list_rejected'],
  );
  assert.match(
    gpu.passthrough.problems[0].detail,
    `${GPU} is not hidden: xen-pciback.hide of the next boot holds (03:00.8)`,
  );
});

test('given a running kernel booted with an unreadable entry, when read, then nothing is hidden now and readiness says the kernel rejected the list', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(zz)`);
  await world.reboot();
  assert.is(await world.status(GPU), 'enabled');
  const host = (await world.get('/v1/host')).json();
  assert.equal([host.current, host.unreadable.current], [[], ['(zz)']]);
  assert.equal(
    host.hide_list_problems.map((p: Record<string, unknown>) => [p.code, p.list]),
    [
      ['hide_list_rejected', 'current'],
      ['hide_list_rejected', 'pending'],
    ],
  );
  const problems = (await world.get(`/v1/pcis/${GPU}`)).json().passthrough.problems;
  assert.match(
    problems[0].detail,
    'of the running kernel holds (zz), which xen-pciback cannot parse: it rejected the whole list and hid no device at all',
  );
  assert.match(problems[0].detail, ', then reboot');
});

test("given an unreadable entry in the next boot's list, when a device is hidden or unhidden, then it is refused with how to repair, and nothing is written", async ({
  world,
  writes,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(03:00.8)`);
  const before = writes().length;
  for (const [action, id] of [
    ['hide', LEGACY_A],
    ['unhide', GPU],
    ['hide', GPU],
  ]) {
    const response = await world.post(`/v1/pcis/${id}/${action}`);
    assert.is(response.statusCode, 409, `${action} ${id}`);
    assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.is(response.json().reason, 'hide_list_rejected');
    assert.equal(response.json().unreadable, ['(03:00.8)']);
    assert.match(response.json().detail, "passthru repair-hide-list --drop '(03:00.8)'");
  }
  assert.is(writes().length, before);
  assert.is(pending(world), `xen-pciback.hide=(${GPU})(03:00.8)\n`);
});

test('given an unreadable entry, when the operator repairs the list dropping it, then the rest takes effect and the repair is recorded', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(03:00.8)(${GPU_AUDIO})`);
  await world.settled();
  const response = await world.post('/v1/host/hide-list/repair', { drop: ['(03:00.8)'], reason: 'typo' });
  assert.is(response.statusCode, 200);
  assert.equal(response.json().changed, true);
  assert.equal(response.json().pending, [GPU, GPU_AUDIO]);
  assert.is(pending(world), `xen-pciback.hide=(${GPU})(${GPU_AUDIO})\n`);
  assert.is(await world.status(GPU), 'disabled_on_reboot');
  assert.equal((await world.get('/v1/host')).json().hide_list_problems, []);
  const change = await last(world, GPU);
  assert.equal(
    [change.type, change.data.cause, change.data.previous, change.data.status],
    ['Dom0AccessReconciled', 'hide_list_repair', 'enabled', 'disabled_on_reboot'],
  );
  const [repaired] = (await world.get('/v1/events?type=HideListRepaired')).json().events;
  assert.equal(repaired.data.dropped, ['(03:00.8)']);
  assert.is(repaired.data.hide_list, `(${GPU})(${GPU_AUDIO})`);
  assert.is(repaired.metadata.reason, 'typo');
  assert.is(repaired.position, response.json().event.position);
  const again = await world.post('/v1/host/hide-list/repair', {});
  assert.equal([again.statusCode, again.json().changed, again.json().event], [200, false, null]);
});

test('given unreadable entries, when a repair fixes one and leaves another, or names one the list does not hold, then it is refused', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(3:0.8)(zz)`);
  const partial = await world.post('/v1/host/hide-list/repair', { fix: [{ entry: '(3:0.8)', pci: '04:00.0' }] });
  assert.is(partial.statusCode, 409);
  assert.equal([partial.json().reason, partial.json().unreadable], ['still_unreadable', ['(zz)']]);
  const unknown = await world.post('/v1/host/hide-list/repair', { drop: ['(zz)', '(3:0.8)', '(03:00.9)'] });
  assert.is(unknown.statusCode, 409);
  assert.match(unknown.json().detail, '(03:00.9) is not an unreadable entry of the next boot');
  const bad = await world.post('/v1/host/hide-list/repair', { fix: [{ entry: '(zz)', pci: 'nope' }] });
  assert.is(bad.statusCode, 400);
  assert.is(pending(world), 'xen-pciback.hide=(3:0.8)(zz)\n');
  const whole = await world.post('/v1/host/hide-list/repair', {
    drop: ['(zz)'],
    fix: [{ entry: '(3:0.8)', pci: SPARE_NIC }],
  });
  assert.is(whole.statusCode, 200);
  assert.is(pending(world), `xen-pciback.hide=(${SPARE_NIC})\n`);
});

test('given an unreadable entry, when a repair fixes it as a device this host does not have, then it is refused 404 and nothing is written', async ({
  world,
  writes,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(3:0.8)`);
  const before = writes().length;
  const refused = await world.post('/v1/host/hide-list/repair', { fix: [{ entry: '(3:0.8)', pci: '0000:7f:1f.7' }] });
  assert.is(refused.statusCode, 404);
  assert.is(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.is(refused.json().detail, 'no PCI device 0000:7f:1f.7 on this host');
  assert.is(writes().length, before);
  assert.is(pending(world), `xen-pciback.hide=(${GPU})(3:0.8)\n`);
});

test('given a repair that would start hiding a protected device, when not forced, then it is refused', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${MANAGEMENT_NIC})(zz)`);
  const refused = await world.post('/v1/host/hide-list/repair', { drop: ['(zz)'] });
  assert.is(refused.statusCode, 409);
  assert.equal(
    refused.json().refused.map((r: { id: string }) => r.id),
    [MANAGEMENT_NIC],
  );
  assert.is(pending(world), `xen-pciback.hide=(${MANAGEMENT_NIC})(zz)\n`);
  assert.is((await world.post('/v1/host/hide-list/repair', { drop: ['(zz)'], force: true })).statusCode, 200);
  assert.is(pending(world), `xen-pciback.hide=(${MANAGEMENT_NIC})\n`);
});

test('given pciback.hide, which no kernel reads, when read, then it hides nothing and is reported; a hide leaves it; a repair moves it', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', `pciback.hide=(${GPU})`);
  assert.is(await world.status(GPU), 'enabled');
  const host = (await world.get('/v1/host')).json();
  assert.equal(
    host.hide_list_problems.map((p: Record<string, unknown>) => [p.code, p.list, p.key, p.entries]),
    [['hide_key_ignored', 'pending', 'pciback.hide', [`(${GPU})`]]],
  );
  const gpu = (await world.get(`/v1/pcis/${GPU}`)).json();
  assert.equal(
    gpu.passthrough.problems.map((p: { code: string }) => p.code),
    ['hide_key_ignored'],
  );
  assert.is((await world.post(`/v1/pcis/${SPARE_NIC}/hide`)).statusCode, 200);
  // xen-cmdline prints one matching argument a line.
  assert.is(pending(world), `pciback.hide=(${GPU})\nxen-pciback.hide=(${SPARE_NIC})\n`);
  const moved = await world.post('/v1/host/hide-list/repair', { pciback_hide: 'move' });
  assert.is(moved.statusCode, 200);
  assert.equal(moved.json().pending, [GPU, SPARE_NIC]);
  assert.is(pending(world), `xen-pciback.hide=(${GPU})(${SPARE_NIC})\n`);
  assert.is(await world.status(GPU), 'disabled_on_reboot');
});

test('given a hidden bridge, when the devices are read, then those behind it are hidden too, and one of them cannot be unhidden alone', async ({
  world,
}) => {
  assert.is((await world.post(`/v1/pcis/${PCI_BRIDGE}/hide`, { force: true })).statusCode, 200);
  for (const id of [LEGACY_A, LEGACY_B]) assert.is(await world.status(id), 'disabled_on_reboot', id);
  assert.equal((await world.get('/v1/host')).json().pending, [PCI_BRIDGE, LEGACY_A, LEGACY_B]);
  const response = await world.post(`/v1/pcis/${LEGACY_A}/unhide`);
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'hidden_by_bridge');
  assert.match(response.json().detail, `${LEGACY_A} is below the bridge ${PCI_BRIDGE}`);
  assert.is(pending(world), `xen-pciback.hide=(${PCI_BRIDGE})\n`);
});

test('given the boot VGA, when hidden through the deprecated PGPU route, then it is refused the same way', async ({
  world,
}) => {
  const response = await world.post(`/v1/pgpus/${VGA}/hide`);
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'system_display');
  assert.is((await last(world, VGA)).data.via, 'pgpu');
});

test('given protection read at the inventory, when sysfs changes, then reads keep it until the next reconcile reads it again', async ({
  world,
  sys,
}) => {
  writeFileSync(sys.xensourceInventory, "MANAGEMENT_INTERFACE='eth1'\n");
  assert.equal((await world.get(`/v1/pcis/${MANAGEMENT_NIC}`)).json().protected[0].reason, 'management_interface');
  await world.post('/v1/reconcile');
  assert.is((await world.get(`/v1/pcis/${MANAGEMENT_NIC}`)).json().protected, null);
  assert.equal((await world.get(`/v1/pcis/${SPARE_NIC}`)).json().protected, [
    { reason: 'management_interface', detail: 'eth1, the management interface' },
  ]);
});

test('given the default XCP-ng host, when GET /v1/host is read, then nothing is missing from the protection', async ({
  world,
}) => {
  assert.equal((await world.get('/v1/host')).json().safety_problems, []);
});

test('given the Open vSwitch management bridge and no ovs-vsctl to ask, when GET /v1/host is read, then it says the management NIC is not protected', async ({
  sys,
}) => {
  const world = await World.start([], { ...sys.env, PASSTHRU_OVS_VSCTL: join(sys.root, 'no-ovs-vsctl') });
  try {
    assert.equal((await world.get('/v1/host')).json().safety_problems, [
      `the management interface xenbr0 leads to no PCI device in sysfs, and Open vSwitch cannot say what is under it: ${join(sys.root, 'no-ovs-vsctl')} br-to-parent xenbr0: cannot run (ENOENT)`,
    ]);
    assert.is((await world.get(`/v1/pcis/${MANAGEMENT_NIC}`)).json().protected, null);
  } finally {
    await world.close();
  }
});

/** Runs one test against passthru started on another host than the suite's. */
async function onHost(sys: KernelSysfs, run: (world: World) => Promise<void>) {
  const world = await World.start([], sys.env);
  try {
    await run(world);
  } finally {
    await world.close();
    rmSync(sys.root, { recursive: true, force: true });
  }
}

const protectedOf = async (world: World) =>
  Object.fromEntries(
    (await world.get('/v1/pcis')).json().map((r: { id: string; protected: unknown }) => [r.id, r.protected]),
  );

test('given / on iSCSI through an Open vSwitch bridge, when the records are read and its NIC hidden, then that NIC is a boot device, refused with 409, and nothing is missing', async () => {
  await onHost(iscsiHost(), async (world) => {
    assert.equal(await protectedOf(world), {
      [ISCSI_MANAGEMENT_NIC]: [
        { reason: 'management_interface', detail: 'eth0, under xenbr0, the management interface' },
      ],
      [ISCSI_NIC]: [{ reason: 'boot_device', detail: ISCSI_DETAIL }],
      [ISCSI_SPARE_NIC]: null,
    });
    assert.equal((await world.get('/v1/host')).json().safety_problems, []);
    const response = await world.post(`/v1/pcis/${ISCSI_NIC}/hide`);
    assert.is(response.statusCode, 409);
    assert.is(response.json().reason, 'boot_device');
    assert.is(response.json().path, ISCSI_DETAIL);
    assert.is(await world.status(ISCSI_NIC), 'enabled');
  });
});

test('given / on an iSCSI session whose connection shows no portal, when GET /v1/host is read, then it says the NICs to the target are not protected', async () => {
  await onHost(iscsiHost(null), async (world) => {
    assert.equal((await world.get('/v1/host')).json().safety_problems, [
      '/ is on the iSCSI disk sdb1, and session1 shows no target address, so the NICs that reach its target are not protected',
    ]);
    assert.is((await world.get(`/v1/pcis/${ISCSI_NIC}`)).json().protected, null);
  });
});

test('given / on a partition of md RAID 1 (md127p1), when the records are read, then the controllers of both disks are boot devices', async () => {
  const sys = bareHost()
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .pci({ id: '0000:00:18.0', class: '0x010601' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .disk('sdb', '8:16', '0000:00:18.0', 'ata2/host1/target1:0:0/1:0:0:0/block')
    .stacked('md127', '9:127', ['sda', 'sdb'])
    .partition('md127p1', '259:0', 'md127')
    .mount('/', '259:0', '/dev/md127p1');
  await onHost(sys, async (world) => {
    const root = [{ reason: 'boot_device', detail: '/dev/md127p1 on / through sda, sdb' }];
    assert.equal(await protectedOf(world), { '0000:00:17.0': root, '0000:00:18.0': root });
  });
});

test('given / on btrfs over disks on two controllers, when the records are read, then both controllers are boot devices', async () => {
  const sys = bareHost()
    .pci({ id: '0000:00:17.0', class: '0x010601' })
    .pci({ id: '0000:00:18.0', class: '0x010601' })
    .disk('sda', '8:0', '0000:00:17.0', 'ata1/host0/target0:0:0/0:0:0:0/block')
    .disk('sdb', '8:16', '0000:00:18.0', 'ata2/host1/target1:0:0/1:0:0:0/block')
    .btrfs('0f4c6a52-7c1d-4b9e-a1a4-3c5e7d9f1b2a', ['sda', 'sdb'])
    .mount('/', '0:33', '/dev/sda', 'btrfs');
  await onHost(sys, async (world) => {
    const root = [{ reason: 'boot_device', detail: '/dev/sda on / through sda, sdb' }];
    assert.equal(await protectedOf(world), { '0000:00:17.0': root, '0000:00:18.0': root });
  });
});

test.run();
