import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { simulatedHostFiles } from '../../services/host/simulated-host.ts';
import { GPU, NIC, NVME, World } from '../support/world.ts';
import { nextDom0Line, padDom0Line } from '../support/dom0-line.ts';
import { racingXenCmdline } from '../support/racing-xen-cmdline.ts';

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
  padDom0Line(world.config.dataDir, 991 - ONE_HIDE);
  const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(response.statusCode, 200);
  assert.is(nextDom0Line(world.config.dataDir).length, 991);
  assert.is(await world.status(GPU.id), 'disabled_on_reboot');
});

test('given a hide that would make the dom0 line 992 characters, it is refused with 409 command_line_too_long and nothing changes', async ({
  world,
}) => {
  padDom0Line(world.config.dataDir, 992 - ONE_HIDE);
  const before = nextDom0Line(world.config.dataDir);
  const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(response.statusCode, 409);
  assert.is(response.headers['content-type'], 'application/problem+json; charset=utf-8');
  const problem = response.json();
  assert.is(problem.reason, 'command_line_too_long');
  assert.is(problem.length, 992);
  assert.is(problem.limit, 991);
  assert.is(problem.more_devices, 0);
  assert.match(problem.detail, 'the dom0 line is 960 of 991 characters: 0 more devices fit');
  assert.is(nextDom0Line(world.config.dataDir), before);
  assert.is(await world.status(GPU.id), 'enabled');
});

test('given room for one more device, a batch of two is refused whole, saying 1 more device fits', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${NVME.id}/hide`);
  // With the key on the line, each device takes 14 characters: room for one, not two.
  padDom0Line(world.config.dataDir, 991 - 14 - 13);
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
  padDom0Line(world.config.dataDir, 1000);
  const response = await world.post(`/v1/pcis/${NVME.id}/unhide`);
  assert.is(response.statusCode, 200);
  assert.is(await world.status(NVME.id), 'enabled');
});

const preflight = async (world: World) => (await world.get('/v1/host/next-boot')).json();
const codes = async (world: World) => (await preflight(world)).problems.map((p: { code: string }) => p.code);

test('given a fresh host, the preflight is ok and gives the dom0 line length and the limit', async ({ world }) => {
  const response = await world.get('/v1/host/next-boot');
  assert.is(response.statusCode, 200);
  assert.equal(response.json(), {
    ok: true,
    problems: [],
    dom0_line_length: nextDom0Line(world.config.dataDir).length,
    limit: 991,
  });
});

test('given a dom0 line made too long by hand, the preflight says command_line_too_long and by how much', async ({
  world,
}) => {
  padDom0Line(world.config.dataDir, 1000);
  const answer = await preflight(world);
  assert.is(answer.ok, false);
  assert.is(answer.dom0_line_length, 1000);
  assert.equal(await codes(world), ['command_line_too_long']);
  assert.match(answer.problems[0].detail, 'shorten the line by 9 characters before you reboot');
});

test('given a hide list xen-pciback will reject, the preflight says hide_list_rejected and how to repair it', async ({
  world,
}) => {
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide=(0000:03:00.0)(0000:0');
  const answer = await preflight(world);
  assert.equal(await codes(world), ['hide_list_rejected']);
  assert.match(answer.problems[0].detail, 'passthru repair-hide-list');
});

test('given xen_pciback.hide beside xen-pciback.hide, the preflight says duplicate_hide_key', async ({ world }) => {
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  world.xenCmdlineByHand('--set-dom0', `xen_pciback.hide=(${NIC.id})`);
  const answer = await preflight(world);
  assert.equal(await codes(world), ['duplicate_hide_key']);
  assert.match(answer.problems[0].detail, 'xen-pciback.hide, xen_pciback.hide');
  assert.match(answer.problems[0].detail, 'remove xen_pciback.hide');
});

test('given a "--" on the dom0 line, a hide lands after it (xen-cmdline appends) and the preflight says hide_after_double_dash', async ({
  world,
}) => {
  const file = simulatedHostFiles(world.config.dataDir).bootConfig;
  writeFileSync(file, readFileSync(file, 'utf8').replace(/(module2 \/boot\/vmlinuz\S* .*)/g, '$1 -- single'));
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.match(nextDom0Line(world.config.dataDir), `-- single xen-pciback.hide=(${GPU.id})`);
  assert.equal(await codes(world), ['hide_after_double_dash']);
});

/** Another card put in the slot: new vendor and device ids at the same address. */
function replaceCard(world: World, id: string, vendor: string, device: string): void {
  const dir = join(world.dir, 'sysfs', id);
  writeFileSync(join(dir, 'vendor'), `${vendor}\n`);
  writeFileSync(join(dir, 'device'), `${device}\n`);
}

test('given a hidden GPU replaced by another card, each start shows device_changed, records one HiddenDeviceChanged, and the preflight fails until the new card is confirmed with a reason', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  const hidden = (await world.get(`/v1/pcis/${GPU.id}/history`)).json().events.at(-1);
  assert.equal(hidden.data.identity, { class_id: '030000', vendor_id: '10de', device_id: '1db4' });
  replaceCard(world, GPU.id, '0x1002', '0x73bf');
  await world.restart();
  await world.restart();
  const changed = (await world.get('/v1/events?type=HiddenDeviceChanged')).json().events;
  assert.is(changed.length, 1, 'one event, not one a start');
  assert.equal(changed[0].data.recorded, { class_id: '030000', vendor_id: '10de', device_id: '1db4' });
  assert.equal(changed[0].data.found, { class_id: '030000', vendor_id: '1002', device_id: '73bf' });
  const record = (await world.get(`/v1/pcis/${GPU.id}`)).json();
  assert.equal(
    record.passthrough.problems.map((p: { code: string }) => p.code),
    ['device_changed'],
  );
  const answer = await preflight(world);
  assert.is(answer.ok, false);
  assert.equal(answer.problems, [
    {
      code: 'device_changed',
      detail:
        `${GPU.id} was hidden as 10de:1db4 (class 030000) but 1002:73bf (class 030000) sits there now: ` +
        `unhide it (passthru unhide ${GPU.id}), or confirm the new device with passthru hide ${GPU.id} --reason TEXT, before you reboot`,
      ids: [GPU.id],
    },
  ]);
  const unconfirmed = await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is(unconfirmed.statusCode, 409);
  assert.is(unconfirmed.json().reason, 'device_changed');
  const confirmed = await world.post(`/v1/pcis/${GPU.id}/hide`, { reason: 'swapped for the RX 6600' });
  assert.is(confirmed.statusCode, 200);
  assert.is(confirmed.json().changed, true);
  assert.is((await world.get('/v1/events?type=HiddenDeviceConfirmed')).json().events.length, 1);
  assert.equal(await preflight(world), {
    ok: true,
    problems: [],
    dom0_line_length: nextDom0Line(world.config.dataDir).length,
    limit: 991,
  });
  await world.restart();
  assert.is((await world.get('/v1/events?type=HiddenDeviceChanged')).json().events.length, 1);
});

test('given a changed card, an unhide clears the preflight, and a hide after it records the new card', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  replaceCard(world, GPU.id, '0x1002', '0x73bf');
  await world.restart();
  await world.post(`/v1/pcis/${GPU.id}/unhide`);
  assert.is((await preflight(world)).ok, true);
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  assert.is((await preflight(world)).ok, true);
});

test('given a running dom0 line Xen cut in the middle of the hide list, GET /v1/host says so: xen-pciback hid nothing', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${GPU.id}/hide`);
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  // Written by hand past the limit passthru keeps: the NIC's entry straddles character 1023.
  padDom0Line(world.config.dataDir, 1030);
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NIC.id})`);
  await world.reboot();
  const host = (await world.get('/v1/host')).json();
  assert.is(host.running_line_cut.hide_list, 'cut_mid_entry');
  assert.is(host.running_line_cut.length, 1023);
  assert.match(host.running_line_cut.detail, 'xen-pciback rejected the whole list and hid no device');
  assert.equal(host.current, []);
  assert.is(await world.status(GPU.id), 'disabled_on_reboot');
  const nic = (await world.get(`/v1/pcis/${NIC.id}`)).json();
  assert.ok(nic.passthrough.problems.some((p: { code: string }) => p.code === 'command_line_cut'));
});

test('given a running dom0 line Xen cut at the end of an entry, GET /v1/host says the entries after it were lost', async ({
  world,
}) => {
  padDom0Line(world.config.dataDir, 1023 - ' xen-pciback.hide=(0000:03:00.0)'.length);
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU.id})(${NIC.id})`);
  await world.reboot();
  const host = (await world.get('/v1/host')).json();
  assert.is(host.running_line_cut.hide_list, 'cut_at_entry_end');
  assert.match(host.running_line_cut.detail, 'the entries after it, if any, were lost');
  assert.equal(host.current, [GPU.id]);
  assert.is(await world.status(NIC.id), 'disabled_on_reboot');
});

test('given a whole running line, GET /v1/host has running_line_cut null', async ({ world }) => {
  assert.is((await world.get('/v1/host')).json().running_line_cut, null);
});

test('given a repair that removes both hide keys, xen-cmdline is run once a key and the rest of the dom0 line is kept as it was', async ({
  world,
}) => {
  const dataDir = world.config.dataDir;
  const before = nextDom0Line(dataDir);
  world.xenCmdlineByHand('--set-dom0', 'xen-pciback.hide=(zz)');
  world.xenCmdlineByHand('--set-dom0', `pciback.hide=(${NIC.id})`);
  const response = await world.post('/v1/host/hide-list/repair', { drop: ['(zz)'], pciback_hide: 'drop' });
  assert.is(response.statusCode, 200);
  // One call with both keys would have kept two copies of every other argument (xen-cmdline's _filter_args).
  assert.is(nextDom0Line(dataDir), before);
});

test('given another writer that adds an entry between passthru’s read and its write, both edits are kept', async () => {
  const race = racingXenCmdline(`(${NVME.id})`);
  const world = await World.start(undefined, race.env);
  try {
    await world.settled();
    race.arm();
    const response = await world.post(`/v1/pcis/${GPU.id}/hide`);
    assert.is(response.statusCode, 200);
    assert.is(world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide'), `xen-pciback.hide=(${GPU.id})(${NVME.id})\n`);
    assert.is(await world.status(NVME.id), 'disabled_on_reboot');
    const nvme = (await world.get(`/v1/pcis/${NVME.id}/history`)).json().events.at(-1);
    assert.equal([nvme.type, nvme.data.cause], ['Dom0AccessReconciled', 'outside_change']);
  } finally {
    await world.close();
    rmSync(race.dir, { recursive: true, force: true });
  }
});

test('given no other writer, when a device is hidden, then xen-cmdline reads the list once and writes it once: unmoved files need no second read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'passthru-counted-'));
  const log = join(dir, 'xen-cmdline.log');
  const counting = join(dir, 'xen-cmdline');
  writeFileSync(counting, `#!/bin/sh\necho "$1" >> '${log}'\nexec '${join(dir, 'var', 'host', 'xen-cmdline')}' "$@"\n`);
  chmodSync(counting, 0o755);
  const world = await World.start(undefined, { PASSTHRU_DATA_DIR: join(dir, 'var'), PASSTHRU_XEN_CMDLINE: counting });
  try {
    await world.settled();
    writeFileSync(log, '');
    assert.is((await world.post(`/v1/pcis/${GPU.id}/hide`)).statusCode, 200);
    assert.equal(readFileSync(log, 'utf8').trim().split('\n'), ['--get-dom0', '--set-dom0']);
  } finally {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
