import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from '../support/eventually.ts';
import { GPU, GPU_AUDIO, MANAGEMENT_NIC, SPARE_NIC } from '../support/safety-host.ts';
import { World } from '../support/world.ts';
import { closeXlWorld, startXlWorld, WITHOUT_IOMMU, type XlWorld } from '../support/xl-world.ts';
import type { XcpNgTwin } from '../support/xcp-ng-twin.ts';

const test = suite<XlWorld>('who holds each device, and handing it over now');

test.before.each(async (context) => {
  Object.assign(context, await startXlWorld());
});
test.after.each(closeXlWorld);

const record = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}`)).json();
const history = async (world: World, id: string) =>
  (await world.get(`/v1/pcis/${id}/history`)).json().events.map((e: { type: string; data: object }) => e);
const types = async (world: World, id: string) => (await history(world, id)).map((e: { type: string }) => e.type);
const pending = async (world: World) => (await world.get('/v1/host')).json().pending;

/** SPARE_NIC handed to pciback now, then passed through to a running guest. */
async function nicInGuest({ world, xl }: { world: World; xl: XcpNgTwin }) {
  assert.is((await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' })).statusCode, 200);
  xl.guest(3, 'win10', [SPARE_NIC]);
  await world.post('/v1/reconcile');
}

const WIN10 = { domid: 3, name: 'win10', vm_uuid: '00000000-0000-4000-8000-000000000003' };

test('given an HVM guest xenopsd started with a device, then its record names the guest from xenstore after a reconcile, not on a mere read', async ({
  world,
  xl,
}) => {
  assert.is((await record(world, SPARE_NIC)).assigned_to, null);
  xl.guest(7, 'Win 10 GPU', [SPARE_NIC, GPU]);
  assert.is(execFileSync(xl.program, ['pci-list', '7'], { encoding: 'utf8' }), '', 'xl knows of no device of it');
  assert.is((await record(world, SPARE_NIC)).assigned_to, null, 'a read runs no xenstore client');
  await world.post('/v1/reconcile');
  const guest = { domid: 7, name: 'Win 10 GPU', vm_uuid: '00000000-0000-4000-8000-000000000007' };
  assert.equal((await record(world, SPARE_NIC)).assigned_to, guest);
  assert.equal((await record(world, GPU)).assigned_to, guest);
  assert.is((await record(world, GPU_AUDIO)).assigned_to, null);
  assert.equal((await world.get('/v1/host')).json().holders, { known: true });
});

test('given a running service, when the guest shuts down, then the holder is gone within 5 s with no command or reconcile', async ({
  world,
  xl,
}) => {
  xl.guest(3, 'win10', [SPARE_NIC]);
  await world.post('/v1/reconcile');
  assert.equal((await record(world, SPARE_NIC)).assigned_to, WIN10);
  xl.noGuests();
  await eventually(async () => (await record(world, SPARE_NIC)).assigned_to === null, 'the poll of xenstore', 6000);
});

test('given a device handed over now, then it is disabled at once: pciback holds it, it is ready, and both steps are recorded', async ({
  world,
}) => {
  const answer = (await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' })).json();
  assert.is(answer.dom0_access, 'disabled');
  assert.is(answer.driver, 'pciback');
  assert.equal(answer.passthrough, { ready: true, problems: [] });
  assert.is(answer.event.type, 'AppliedNow');
  assert.equal(await pending(world), [SPARE_NIC]);
  const [, disabled, applied] = await history(world, SPARE_NIC);
  assert.equal([disabled.type, disabled.data.status], ['Dom0AccessDisabled', 'disabled_on_reboot']);
  assert.equal(applied.data, {
    pci: SPARE_NIC,
    id: SPARE_NIC,
    from_driver: 'igb',
    status: 'disabled',
    cause: 'command',
    via: 'pci',
    action: 'hide',
    to_driver: 'pciback',
  });
});

test('given a device handed over now, when it is unhidden now, then dom0’s driver has it back at once and it is enabled', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  const answer = (await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' })).json();
  assert.is(answer.dom0_access, 'enabled');
  assert.is(answer.driver, 'igb');
  assert.equal(await pending(world), []);
  const events = await history(world, SPARE_NIC);
  assert.equal(
    events
      .slice(-2)
      .map((e: { type: string; data: { status: string; from_driver?: string } }) => [
        e.type,
        e.data.status,
        e.data.from_driver,
      ]),
    [
      ['AppliedNow', 'disabled_on_reboot', 'pciback'],
      ['Dom0AccessEnabled', 'enabled', undefined],
    ],
  );
});

test('given a next-boot hide, then nothing is handed over and no xl runs for it', async ({ world }) => {
  const answer = (await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'next-boot' })).json();
  assert.equal([answer.dom0_access, answer.driver], ['disabled_on_reboot', 'igb']);
  assert.equal(await types(world, SPARE_NIC), ['DeviceDiscovered', 'Dom0AccessDisabled']);
});

test('given a guest holding a device, when it is unhidden, then 409 names the guest, nothing changes, and the refusal is recorded', async (context) => {
  await nicInGuest(context);
  const response = await context.world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' });
  assert.is(response.statusCode, 409);
  const problem = response.json();
  assert.is(problem.reason, 'assigned');
  assert.equal(problem.assigned_to, WIN10);
  assert.match(problem.detail, `${SPARE_NIC} is passed through to win10 (domain 3)`);
  assert.equal(await pending(context.world), [SPARE_NIC]);
  assert.is((await record(context.world, SPARE_NIC)).driver, 'pciback');
  const refused = (await history(context.world, SPARE_NIC)).at(-1);
  assert.equal(refused.data, {
    pci: SPARE_NIC,
    command: 'unhide',
    status: 'disabled',
    cause: 'command',
    via: 'pci',
    reason: 'assigned',
    assigned_to: WIN10,
  });
  assert.is((await context.world.post(`/v1/pcis/${SPARE_NIC}/unhide`)).statusCode, 409, 'next boot alike');
});

test('given a guest holding a device, when it is unhidden with force, then it is, and the event names the guest overridden', async (context) => {
  await nicInGuest(context);
  const response = await context.world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { force: true });
  assert.is(response.statusCode, 200);
  assert.is(response.json().dom0_access, 'enabled_on_reboot');
  const enabled = (await history(context.world, SPARE_NIC)).at(-1);
  assert.is(enabled.type, 'Dom0AccessEnabled');
  assert.equal([enabled.data.forced, enabled.data.assigned_to], [true, WIN10]);
});

test('given xl failing on the second device of a batch, then the first is given back, the boot list restored, and xl’s words recorded', async ({
  world,
  xl,
}) => {
  const said = `libxl: error: libxl_pci.c:835:libxl__device_pci_assignable_add: Couldn't bind device ${GPU_AUDIO} to pciback: Device or resource busy`;
  xl.failOn(GPU_AUDIO, said);
  const response = await world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO], apply: 'now' });
  assert.is(response.statusCode, 502);
  assert.match(response.json().detail, `failed on ${GPU_AUDIO}`);
  assert.match(response.json().detail, `afterwards ${GPU}: nouveau is bound; ${GPU_AUDIO}: snd_hda_intel is bound`);
  assert.match(response.json().detail, 'Device or resource busy');
  assert.equal(await pending(world), []);
  assert.is((await record(world, GPU)).driver, 'nouveau');
  assert.is((await record(world, GPU)).dom0_access, 'enabled');
  assert.is(execFileSync(xl.program, ['pci-assignable-list'], { encoding: 'utf8' }), '');
  for (const id of [GPU, GPU_AUDIO]) {
    const failed = (await history(world, id)).at(-1);
    assert.equal(failed.type, 'ApplyNowFailed');
    assert.equal([failed.data.id, failed.data.action, failed.data.status], [id, 'hide', 'enabled']);
    assert.match(failed.data.xl_message, said);
  }
  assert.not.ok((await types(world, GPU)).includes('Dom0AccessDisabled'));
});

test('given xl hanging, then the hand-over fails at the deadline and the boot list is as it was', async ({
  world,
  env,
  xl,
}) => {
  await world.close();
  const hurried = await World.start([], { ...env, PASSTHRU_XEN_CMDLINE_TIMEOUT_MS: '500' });
  try {
    xl.hangOn('pci-assignable-add');
    const response = await hurried.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
    assert.is(response.statusCode, 502);
    assert.match(response.json().detail, 'no answer within 500 ms');
    assert.equal(await pending(hurried), []);
    assert.is((await history(hurried, SPARE_NIC)).at(-1).type, 'ApplyNowFailed');
  } finally {
    await hurried.close();
  }
  Object.assign(world, await World.start([], env));
});

test('given xl gone since the start, then a hand-over fails, recorded, and nothing changes', async ({ world, xl }) => {
  xl.remove();
  const response = await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  assert.is(response.statusCode, 502);
  assert.match(response.json().detail, 'cannot run (ENOENT)');
  assert.equal(await pending(world), []);
  assert.is((await history(world, SPARE_NIC)).at(-1).data.action, 'hide');
});

test('given no IOMMU, when a hide is applied now, then 409 and nothing changes', async ({ world, xl }) => {
  xl.virtCaps(WITHOUT_IOMMU);
  await world.post('/v1/reconcile');
  const response = await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'iommu_disabled');
  assert.equal(await pending(world), []);
  assert.is((await record(world, SPARE_NIC)).driver, 'igb');
});

test('given a protected device, when it is hidden now without force, then it is refused as at next boot', async ({
  world,
}) => {
  const response = await world.post(`/v1/pcis/${MANAGEMENT_NIC}/hide`, { apply: 'now' });
  assert.is(response.statusCode, 409);
  assert.is(response.json().reason, 'management_interface');
});

test('given a device handed over by hand (xl pci-assignable-add), then the reconcile records it, and it is not persistent', async ({
  world,
  xl,
}) => {
  execFileSync(xl.program, ['pci-assignable-add', SPARE_NIC]);
  await world.post('/v1/reconcile');
  const nic = await record(world, SPARE_NIC);
  assert.is(nic.dom0_access, 'enabled_on_reboot');
  assert.equal(
    nic.passthrough.problems.map((p: { code: string }) => p.code),
    ['not_persistent'],
  );
  const reconciled = (await history(world, SPARE_NIC)).at(-1);
  assert.equal([reconciled.type, reconciled.data.cause], ['Dom0AccessReconciled', 'outside_change']);
});

test('given a boot that hid a device pciback does not hold, then its driver link makes it not claimed', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  const nic = await record(world, SPARE_NIC);
  assert.is(nic.dom0_access, 'disabled');
  assert.equal(
    nic.passthrough.problems.map((p: { code: string }) => p.code),
    ['not_claimed'],
  );
});

test('given xenstore that cannot be read, then who holds what is unknown, not none: the host says so, nothing is ready or recorded, and apply now is refused with 503', async ({
  world,
  xl,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  const before = await history(world, SPARE_NIC);
  xl.xenstoreFails('xenstore: xs_open: Connection refused');
  await world.post('/v1/reconcile');
  const host = (await world.get('/v1/host')).json();
  assert.is(host.holders.known, false);
  assert.match(host.holders.detail, 'Connection refused');
  const nic = await record(world, SPARE_NIC);
  assert.equal([nic.dom0_access, nic.driver, nic.assigned_to], ['disabled', 'pciback', null]);
  assert.is(nic.passthrough.ready, false);
  assert.equal(
    nic.passthrough.problems.map((p: { code: string }) => p.code),
    ['holder_unknown'],
  );
  const refused = await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' });
  assert.is(refused.statusCode, 503);
  assert.is(refused.json().reason, 'holders_unknown');
  assert.equal(await history(world, SPARE_NIC), before, 'nothing recorded, no change by hand');
  assert.is((await record(world, SPARE_NIC)).driver, 'pciback');
  xl.xenstoreFails(null);
  await world.post('/v1/reconcile');
  assert.equal((await world.get('/v1/host')).json().holders, { known: true });
  assert.is((await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' })).statusCode, 200);
});

test('given a device pciback took at boot, when it is unhidden now, then Xen’s refusal to de-quarantine it is worked around: dom0’s driver has it, checked on its link', async ({
  world,
  sys,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  sys.bind(SPARE_NIC, 'pciback');
  const answer = await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' });
  assert.is(answer.statusCode, 200, answer.body);
  assert.is(answer.json().driver, 'igb');
  const applied = (await history(world, SPARE_NIC)).find((e: { type: string }) => e.type === 'AppliedNow');
  assert.equal([applied.data.from_driver, applied.data.to_driver], ['pciback', 'igb']);
  assert.equal(await pending(world), []);
});

test('given a device a guest of xenopsd used, when the guest is gone and it is unhidden now, then dom0’s driver has it back', async ({
  world,
  xl,
}) => {
  xl.guest(3, 'win10', [SPARE_NIC]);
  xl.noGuests();
  await world.post('/v1/reconcile');
  const answer = await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' });
  assert.is(answer.statusCode, 200, answer.body);
  assert.is(answer.json().driver, 'igb');
  const applied = (await history(world, SPARE_NIC)).at(-1);
  assert.equal([applied.type, applied.data.to_driver], ['AppliedNow', 'igb']);
});

test('given a device no driver of dom0 matches, when it is given back now, then it is not called given back: a warning, an event and a readiness problem say so', async ({
  world,
  sys,
  xl,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  sys.bind(SPARE_NIC, 'pciback');
  xl.matchingDriver(SPARE_NIC, null);
  const response = await world.post(`/v1/pcis/${SPARE_NIC}/unhide`, { apply: 'now' });
  assert.is(response.statusCode, 200, response.body);
  const answer = response.json();
  assert.is(answer.driver, null);
  assert.is(answer.event.type, 'Dom0AccessEnabled');
  assert.match(
    answer.warnings[0],
    `${SPARE_NIC} is not given back: pciback let go of it, but no driver of dom0 took it`,
  );
  const events = await types(world, SPARE_NIC);
  assert.ok(events.includes('DriverNotBound'));
  assert.not.ok(events.includes('AppliedNow'));
  assert.equal(
    answer.passthrough.problems.map((p: { code: string }) => p.code),
    ['left_without_driver'],
  );
  const feed = (await world.get('/v1/events?type=DriverNotBound')).json().events;
  assert.is(feed.length, 1);
});

test('given xl that returns yet leaves pciback unbound, then the hide now fails on the driver link, is undone and says what is bound', async ({
  world,
  env,
  xl,
  sys,
}) => {
  // xl does its work, then pciback lets go: only the driver link tells.
  const letsGo = join(sys.root, 'xl-then-unbind');
  writeFileSync(
    letsGo,
    `#!/bin/sh\n'${xl.program}' "$@" || exit\n[ "$1" = pci-assignable-add ] && '${xl.sysfsWriter}' '${sys.root}/bus/pci/drivers/pciback/unbind' "$2"\nexit 0\n`,
  );
  chmodSync(letsGo, 0o755);
  await world.close();
  const fooled = await World.start([], { ...env, PASSTHRU_XL: letsGo });
  try {
    const response = await fooled.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
    assert.is(response.statusCode, 502);
    assert.match(
      response.json().detail,
      `xl pci-assignable-add ${SPARE_NIC} returned, yet no driver is bound after 2000 ms`,
    );
    assert.equal(await pending(fooled), []);
    const failed = (await history(fooled, SPARE_NIC)).at(-1);
    assert.equal([failed.type, failed.data.action], ['ApplyNowFailed', 'hide']);
  } finally {
    await fooled.close();
  }
  Object.assign(world, await World.start([], env));
});

test.run();
