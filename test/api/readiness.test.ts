import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli-run.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { GPU, GPU_AUDIO, NVME, SPARE_NIC } from '../support/safety-host.ts';
import { TOKEN, World } from '../support/world.ts';
import { closeXlWorld, startXlWorld, WITHOUT_IOMMU, type XlWorld } from '../support/xl-world.ts';
import { jsonLogin, jsonRpc } from '../xapi/support.ts';

const test = suite<XlWorld>('will passthrough work');

test.before.each(async (context) => {
  Object.assign(context, await startXlWorld());
});
test.after.each(closeXlWorld);

const record = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}`)).json();
const verdict = async (world: World, id: string) => (await record(world, id)).passthrough;
const codes = async (world: World, id: string) =>
  (await verdict(world, id)).problems.map((p: { code: string }) => p.code);
const events = async (world: World, type: string) =>
  (await world.get(`/v1/events?type=${type}&limit=1000`)).json().events;

/** The whole GPU hidden, rebooted, and pciback holding both functions: what a working passthrough looks like. */
async function passThroughGpu({ world, sys }: { world: World; sys: KernelSysfs }) {
  await world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO] });
  await world.reboot();
  sys.bind(GPU, 'pciback').bind(GPU_AUDIO, 'pciback');
}

test('given a host with an IOMMU, when the host is read, then it says so', async ({ world }) => {
  assert.is((await world.get('/v1/host')).json().iommu, true);
});

test('given no xl to ask, when the host is read, then its IOMMU is unknown', async ({ world, env }) => {
  await world.close();
  const without = await World.start([], { ...env, PASSTHRU_XL: '' });
  try {
    assert.is((await without.get('/v1/host')).json().iommu, null);
  } finally {
    await without.close();
  }
  // The suite's own world is closed: start it again for the after hook.
  Object.assign(world, await World.start([], env));
});

test('given a device dom0 uses, when it is read, then it names the driver and is not ready, with no problem', async ({
  world,
}) => {
  const gpu = await record(world, GPU);
  assert.is(gpu.driver, 'nouveau');
  assert.equal(gpu.passthrough, { ready: false, problems: [] });
});

test('given the whole GPU hidden at boot and held by pciback, then it is ready', async (context) => {
  await passThroughGpu(context);
  const gpu = await record(context.world, GPU);
  assert.is(gpu.dom0_access, 'disabled');
  assert.is(gpu.driver, 'pciback');
  assert.equal(gpu.passthrough, { ready: true, problems: [] });
});

test('given a rebind, when the device is read right after, then the new driver shows', async ({ world, sys }) => {
  sys.bind(GPU, 'pciback');
  assert.is((await record(world, GPU)).driver, 'pciback');
  sys.bind(GPU, null);
  assert.is((await record(world, GPU)).driver, null);
});

test('given a boot that hid a NIC its igb driver kept, then it is not claimed, and the boot recorded it once', async ({
  world,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  assert.equal(await codes(world, SPARE_NIC), ['not_claimed']);
  assert.match((await verdict(world, SPARE_NIC)).problems[0].detail, /dom0's igb driver holds it/);
  const [notClaimed] = await events(world, 'HideNotClaimed');
  assert.equal(notClaimed.data, {
    pci: SPARE_NIC,
    status: 'disabled',
    driver: 'igb',
    cause: 'reboot',
    boot_id: (await world.get('/v1/host')).json().boot_id,
  });
  const boot = (await events(world, 'BootObserved')).at(-1);
  assert.equal([boot.data.claimed, boot.data.not_claimed], [[], [SPARE_NIC]]);
  const history = (await world.get(`/v1/pcis/${SPARE_NIC}/history`)).json().events;
  assert.equal(
    history.map((e: { type: string }) => e.type),
    ['DeviceDiscovered', 'Dom0AccessDisabled', 'Dom0AccessReconciled', 'HideNotClaimed'],
  );

  await world.restart();
  await world.post('/v1/reconcile');
  assert.is((await events(world, 'HideNotClaimed')).length, 1);
});

test('given a boot whose hides pciback took up, then the boot records them as claimed and nothing else', async (context) => {
  await context.world.post('/v1/pcis/hide', { ids: [GPU, GPU_AUDIO] });
  context.sys.bind(GPU, 'pciback').bind(GPU_AUDIO, 'pciback');
  await context.world.reboot();
  const boot = (await events(context.world, 'BootObserved')).at(-1);
  assert.equal([boot.data.claimed, boot.data.not_claimed], [[GPU, GPU_AUDIO], []]);
  assert.equal(await events(context.world, 'HideNotClaimed'), []);
});

test('given a device assigned at run time (pciback, next boot gives it back), then it is hidden now, read off its driver link at once, and not persistent until hidden', async ({
  world,
  sys,
}) => {
  sys.bind(SPARE_NIC, 'pciback');
  const nic = await record(world, SPARE_NIC);
  assert.equal([nic.dom0_access, nic.driver], ['enabled_on_reboot', 'pciback']);
  assert.equal(await codes(world, SPARE_NIC), ['not_persistent']);
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  assert.is((await record(world, SPARE_NIC)).dom0_access, 'disabled');
  assert.equal(await verdict(world, SPARE_NIC), { ready: true, problems: [] });
});

test('given a GPU whose audio function stays with snd_hda_intel, then the GPU names it as the dependency to hide', async ({
  world,
  sys,
}) => {
  await world.post(`/v1/pcis/${GPU}/hide`);
  await world.reboot();
  sys.bind(GPU, 'pciback');
  assert.equal((await verdict(world, GPU)).problems, [
    {
      code: 'dependency_in_dom0',
      detail: `${GPU_AUDIO} must be passed through with ${GPU} but dom0's snd_hda_intel driver holds it: hide it as well (passthru hide ${GPU_AUDIO})`,
    },
  ]);
});

test('given a host without an IOMMU, then every hidden device says so, after the next boot reads it', async (context) => {
  await passThroughGpu(context);
  context.xl.virtCaps(WITHOUT_IOMMU);
  assert.equal(await codes(context.world, GPU), [], 'read once a boot, not per request');
  await context.world.reboot();
  context.sys.bind(GPU, 'pciback').bind(GPU_AUDIO, 'pciback');
  assert.is((await context.world.get('/v1/host')).json().iommu, false);
  assert.equal(await codes(context.world, GPU), ['iommu_disabled']);
  assert.equal(await codes(context.world, GPU_AUDIO), ['iommu_disabled']);
});

test('given XAPI, then PCI.driver_name is the bound driver, and other_config carries the verdict', async (context) => {
  await passThroughGpu(context);
  const session = await jsonLogin(context.world);
  const refs = (await jsonRpc(context.world, 'PCI.get_all', [session])).result as string[];
  const records = await Promise.all(
    refs.map(async (ref) => (await jsonRpc(context.world, 'PCI.get_record', [session, ref])).result),
  );
  const gpu = records.find((r) => r.pci_id === GPU);
  const nic = records.find((r) => r.pci_id === SPARE_NIC);
  assert.is(gpu.driver_name, 'pciback');
  assert.equal(JSON.parse(gpu.other_config.passthrough), { ready: true, problems: [] });
  assert.is(nic.driver_name, 'igb');
  const ref = refs[records.indexOf(gpu)];
  assert.is((await jsonRpc(context.world, 'PCI.get_driver_name', [session, ref])).result, 'pciback');
});

const doctor = (env: Record<string, string>, ...args: string[]) =>
  runCli(['doctor', ...args], {
    env: { ...process.env, ...env, PASSTHRU_HOST_MODE: 'simulated', PASSTHRU_TOKEN: TOKEN },
  });

test('given every hidden device ready, when passthru doctor runs, then it exits 0 and shows them', async (context) => {
  await passThroughGpu(context);
  const { code, stdout } = await doctor(context.env);
  assert.is(code, 0);
  assert.match(stdout, /^IOMMU: on$/m);
  assert.match(stdout, new RegExp(`^${GPU} +disabled +pciback +ready`, 'm'));
  assert.not.match(stdout, /What to do/);
});

test('given a hide pciback did not take up, when passthru doctor runs, then it says what to do and exits 1', async ({
  world,
  env,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  const { code, stdout } = await doctor(env);
  assert.is(code, 1);
  assert.match(stdout, new RegExp(`^${SPARE_NIC} +disabled +igb +PROBLEM`, 'm'));
  assert.match(
    stdout,
    new RegExp(`^  ${SPARE_NIC} not_claimed: the boot hid ${SPARE_NIC} but dom0's igb driver holds it`, 'm'),
  );
  const json = JSON.parse((await doctor(env, '--json')).stdout);
  assert.is(json.healthy, false);
  assert.equal(
    json.devices.map((d: { id: string }) => d.id),
    [SPARE_NIC],
  );
});

test('given a hidden NIC whose driver also drives the root disk, when passthru doctor runs, then it never advises blacklisting that driver', async ({
  world,
  sys,
  env,
}) => {
  sys.bind(NVME, 'virtio-pci').bind(SPARE_NIC, 'virtio-pci');
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await world.reboot();
  const { code, stdout } = await doctor(env);
  assert.is(code, 1);
  assert.not.match(stdout, /or blacklist virtio-pci/);
  assert.match(
    stdout,
    `  ${SPARE_NIC} not_claimed: the boot hid ${SPARE_NIC} but dom0's virtio-pci driver holds it, and virtio-pci also drives ${NVME}, which dom0 needs: do not blacklist virtio-pci; give ${SPARE_NIC} alone to pciback with xl pci-assignable-add ${SPARE_NIC}`,
  );
  assert.match(
    (await verdict(world, SPARE_NIC)).problems[0].detail,
    `do not blacklist virtio-pci; give ${SPARE_NIC} alone to pciback`,
  );
});

test.run();
