import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EFI_DETAIL,
  GPU,
  GPU_AUDIO,
  LEGACY_B,
  MANAGEMENT_DETAIL,
  MANAGEMENT_NIC,
  NVME,
  ROOT_DETAIL,
  safetyHost,
} from '../support/safety-host.ts';
import { startCliHost, stopCliHost, type CliHost } from '../support/cli-host.ts';

const test = suite<CliHost>('passthru CLI on a host with protected devices');

test.before(async (context) => {
  Object.assign(context, await startCliHost(safetyHost(), 'cli-safety'));
});

test.after(stopCliHost);

test('given the NVMe holding /, when hidden, then the CLI exits 1 naming the protection and how to override it', async ({
  passthru,
}) => {
  const run = await passthru('hide', NVME);
  assert.is(run.code, 1);
  assert.is(run.stdout, '');
  assert.match(run.stderr, `passthru hide: ${NVME} is protected (boot_device: ${ROOT_DETAIL}`);
  assert.match(
    run.stderr,
    ': dom0 needs it to come back after a reboot; add --force --reason "why" to hide it anyway\n',
  );
  assert.not.match(run.stderr, '"force": true');
});

test('given the NVMe holding /, when hidden with --force but no reason, then the CLI exits 2 asking for one and nothing changes', async ({
  passthru,
}) => {
  const run = await passthru('hide', NVME, '--force');
  assert.equal(run, {
    code: 2,
    stdout: '',
    stderr: 'passthru hide: --force needs --reason "why": the history keeps why it was forced\n',
  });
  assert.is(JSON.parse((await passthru('status', NVME, '--json')).stdout).dom0_access, 'enabled');
});

test('given the NVMe holding /, when hidden with --force and a reason, then the CLI says it was forced over what, and history shows the reason', async ({
  passthru,
}) => {
  const run = await passthru('hide', NVME, '--force', '--reason', 'moving the root disk to a guest');
  assert.equal(run, {
    code: 0,
    stdout: `${NVME}: disabled_on_reboot\nforced: ${NVME} was protected (boot_device: ${ROOT_DETAIL}; boot_device: ${EFI_DETAIL}), reason: moving the root disk to a guest\n`,
    stderr: '',
  });
  const history = (await passthru('history', NVME)).stdout.trim().split('\n');
  assert.match(history[0]!, /\sACTOR\s+NOW\s+REASON$/);
  assert.match(
    history[history.length - 1]!,
    /\sDom0AccessDisabled\s.*\sadmin \(claims cli:root\)\s+moving the root disk to a guest$/,
  );
  assert.is((await passthru('unhide', NVME)).code, 0);
});

test('given the NIC under XCP-ng’s Open vSwitch management bridge, when hidden, then the CLI exits 1 naming the management interface', async ({
  passthru,
}) => {
  const run = await passthru('hide', MANAGEMENT_NIC);
  assert.is(run.code, 1);
  assert.is(run.stdout, '');
  assert.match(run.stderr, `passthru hide: ${MANAGEMENT_NIC} is protected (management_interface: ${MANAGEMENT_DETAIL}`);
});

test('given the Open vSwitch management bridge and no ovs-vsctl, when passthru doctor runs, then it says the management NIC is not protected', async ({
  run,
}) => {
  const doctor = await run({ PASSTHRU_OVS_VSCTL: '' }, 'doctor');
  assert.match(
    doctor.stdout,
    'Protection of the devices dom0 needs is incomplete:\n  the management interface xenbr0 leads to no PCI device in sysfs, and no ovs-vsctl is set to ask Open vSwitch (ovs-system) for its ports\n',
  );
  const json = JSON.parse((await run({ PASSTHRU_OVS_VSCTL: '' }, 'doctor', '--json')).stdout);
  assert.equal(json.safety_problems, [
    'the management interface xenbr0 leads to no PCI device in sysfs, and no ovs-vsctl is set to ask Open vSwitch (ovs-system) for its ports',
  ]);
  const asked = await run({}, 'doctor', '--json');
  assert.equal(JSON.parse(asked.stdout).safety_problems, []);
});

test('given the GPU alone, when hidden, then it is hidden and the CLI prints the warning about its audio function', async ({
  passthru,
}) => {
  const run = await passthru('hide', GPU);
  assert.is(run.code, 0);
  assert.is(
    run.stdout,
    `${GPU}: disabled_on_reboot\nwarning: ${GPU} must move with ${GPU_AUDIO}, but it stays with dom0: hide it too for passthrough of ${GPU} to work\n`,
  );
});

test('given several ids, when hidden, then one batch hides them, each reported', async ({ passthru }) => {
  const run = await passthru('hide', GPU, '03:00.1', '--reason', 'for vm-9');
  assert.equal(run, {
    code: 0,
    stdout: `${GPU}: already disabled_on_reboot, nothing changed\n${GPU_AUDIO}: disabled_on_reboot\n`,
    stderr: '',
  });
});

test('given a batch with the NVMe, when hidden with --force, then all are hidden', async ({ passthru }) => {
  assert.is((await passthru('unhide', GPU, GPU_AUDIO)).code, 0);
  const run = await passthru('hide', GPU, NVME, '--force', '--reason', 'all to vm-9', '--json');
  assert.is(run.code, 0);
  const body = JSON.parse(run.stdout);
  assert.equal(
    body.results.map((r: { record: { id: string; dom0_access: string } }) => [r.record.id, r.record.dom0_access]),
    [
      [GPU, 'disabled_on_reboot'],
      [NVME, 'disabled_on_reboot'],
    ],
  );
  assert.equal(body.warnings, [
    `${GPU} must move with ${GPU_AUDIO}, but it stays with dom0: hide it too for passthrough of ${GPU} to work`,
  ]);
});

test('given a bus wildcard written by hand, when status is asked, then the devices it covers are pending hidden', async ({
  sys,
  passthru,
}) => {
  execFileSync(join(sys.root, 'var', 'host', 'xen-cmdline'), ['--set-dom0', 'xen-pciback.hide=(05:*.*)']);
  const run = await passthru('status', LEGACY_B, '--json');
  assert.is(run.code, 0);
  assert.is(JSON.parse(run.stdout).dom0_access, 'disabled_on_reboot');
});

test("given an unreadable entry in the next boot's list, when doctor runs, then it exits 1 saying the list hides nothing; repair-hide-list fixes it and history shows why", async ({
  sys,
  passthru,
}) => {
  execFileSync(join(sys.root, 'var', 'host', 'xen-cmdline'), ['--set-dom0', `xen-pciback.hide=(${GPU})(03:00.8)`]);
  const doctor = await passthru('doctor');
  assert.is(doctor.code, 1);
  assert.match(
    doctor.stdout,
    'Hide list (pending) hide_list_rejected: xen-pciback.hide of the next boot holds (03:00.8), which xen-pciback cannot parse',
  );
  assert.match(doctor.stdout, `${GPU} hide_list_rejected: ${GPU} is not hidden`);
  const refused = await passthru('hide', GPU_AUDIO);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, "passthru repair-hide-list --drop '(03:00.8)'");
  const repair = await passthru('repair-hide-list', '--fix', `(03:00.8)=${GPU_AUDIO}`, '--reason', 'meant the audio');
  assert.equal(repair, {
    code: 0,
    stdout: `hide list repaired; the next boot hides ${GPU} ${GPU_AUDIO}\n`,
    stderr: '',
  });
  const history = await passthru('history', GPU_AUDIO);
  assert.match(
    history.stdout.trim().split('\n').at(-1)!,
    /Dom0AccessReconciled\s+disabled_on_reboot\s+hide_list_repair/,
  );
  const bad = await passthru('repair-hide-list', '--fix', '(03:00.8)');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--fix takes ENTRY=ID');
});

test.run();
