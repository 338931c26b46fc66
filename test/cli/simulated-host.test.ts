import { execFileSync } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { GPU, GPU_AUDIO, MANAGEMENT_NIC, NVME, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { startService, stopService, type ServiceProcess } from '../support/service-process.ts';

const test = suite<{
  machine: KernelSysfs;
  dataDir: string;
  env: Record<string, string>;
  service: ServiceProcess | null;
  passthru: (...args: string[]) => Promise<CliRun>;
}>('the simulated host of a machine that is not a Xen host, driven through the CLI');

const inherited = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PASSTHRU_')));

test.before.each((context) => {
  // The machine the simulated host runs on: a kernel-layout fake, never the test machine's own /sys.
  context.machine = safetyHost().bind(GPU, 'nouveau').bind(GPU_AUDIO, 'snd_hda_intel').bind(SPARE_NIC, 'igb');
  context.dataDir = join(context.machine.root, 'var');
  // The machine's sysfs, mounts and network, as on a newcomer's machine; no PCI bus, xl, xenstore or sysfs writer named.
  const { PASSTHRU_SYSFS_PCI: _named, ...machine } = context.machine.env;
  context.env = {
    ...inherited(),
    ...machine,
    PASSTHRU_HOST_MODE: 'simulated',
    PASSTHRU_DATA_DIR: context.dataDir,
    PASSTHRU_RUNTIME_DIR: join(context.machine.root, 'run'),
    PASSTHRU_LOG_LEVEL: 'silent',
  };
  context.service = null;
  context.passthru = (...args) => runCli(args, { env: context.env, cwd: context.machine.root });
});

test.after.each(async ({ machine, service }) => {
  if (service) await stopService(service);
  rmSync(machine.root, { recursive: true, force: true });
});

/** The driver of a device in a sysfs, as its link shows it. */
const driverIn = (sysfs: string, id: string) =>
  basename(readlinkSync(join(sysfs, 'bus', 'pci', 'devices', id, 'driver')));

test('given the README’s story, when a device is hidden and the simulated host reboots, then it is disabled and doctor says ready', async (context) => {
  const { machine, passthru } = context;
  context.service = await startService(context.env);
  const hide = await passthru('hide', SPARE_NIC);
  assert.is(hide.code, 0, hide.stderr);
  const reboot = await passthru('reboot');
  assert.is(reboot.code, 0, reboot.stderr);
  assert.match(reboot.stdout, 'the running service has reconciled with the new boot');
  const status = await passthru('status', SPARE_NIC);
  assert.match(status.stdout, new RegExp(`^${SPARE_NIC}\\s+disabled\\s`, 'm'));
  const doctor = await passthru('doctor');
  assert.is(doctor.code, 0, doctor.stdout);
  assert.match(doctor.stdout, 'IOMMU: on');
  assert.match(doctor.stdout, new RegExp(`^${SPARE_NIC}\\s+disabled\\s+pciback\\s+ready\\s`, 'm'));
  // The simulated host's pciback took it; the machine's own device is as it was.
  assert.is(driverIn(machine.root, SPARE_NIC), 'igb');
});

test('given the simulated host, then the machine’s boot disk stays protected', async (context) => {
  context.service = await startService(context.env);
  const hide = await context.passthru('hide', NVME);
  assert.is(hide.code, 1);
  assert.match(hide.stderr, 'boot_device');
  assert.match(hide.stderr, '/dev/mapper/vg-root on / through nvme0n1p2');
});

test('given the simulated host, when a device is hidden now and given back now, then the twin hands it over both ways', async (context) => {
  const { machine, passthru } = context;
  context.service = await startService(context.env);
  const hide = await passthru('hide', SPARE_NIC, '--now');
  assert.is(hide.code, 0, hide.stderr);
  assert.match((await passthru('status', SPARE_NIC)).stdout, new RegExp(`^${SPARE_NIC}\\s+disabled\\s`, 'm'));
  const doctor = await passthru('doctor');
  assert.match(doctor.stdout, new RegExp(`^${SPARE_NIC}\\s+disabled\\s+pciback\\s+ready\\s`, 'm'));
  const unhide = await passthru('unhide', SPARE_NIC, '--now');
  assert.is(unhide.code, 0, unhide.stderr);
  const status = await passthru('status', SPARE_NIC, '--json');
  assert.is((JSON.parse(status.stdout) as { dom0_access: string }).dom0_access, 'enabled');
  // Given back to igb on the simulated host, which the machine's own device never left.
  assert.is(driverIn(join(context.dataDir, 'host', 'sys'), SPARE_NIC), 'igb');
  assert.is(driverIn(machine.root, SPARE_NIC), 'igb');
});

test('given the simulated host with PASSTHRU_XL=none, when hide --now runs, then it is refused as a host without xl', async (context) => {
  context.env = { ...context.env, PASSTHRU_XL: 'none' };
  context.service = await startService(context.env);
  const run = await context.passthru('hide', SPARE_NIC, '--now');
  assert.is(run.code, 1);
  assert.match(run.stderr, 'no xl program is set');
});

test('given a device the boot hid that dom0’s driver took back, then doctor’s advice names the simulated host’s sysfs, never the machine’s', async (context) => {
  const { machine, dataDir, passthru } = context;
  // igb drives the management NIC too, so doctor advises unbinding the one device by hand rather than blacklisting igb.
  machine.bind(MANAGEMENT_NIC, 'igb');
  context.service = await startService(context.env);
  assert.is((await passthru('hide', SPARE_NIC)).code, 0);
  assert.is((await passthru('reboot')).code, 0);
  // By hand on the simulated host, through its kernel's side of sysfs: pciback lets go, igb takes the NIC back.
  const bus = join(dataDir, 'host', 'sys', 'bus', 'pci');
  const writer = join(dataDir, 'host', 'kernel-sysfs-write');
  execFileSync(writer, [join(bus, 'drivers', 'pciback', 'unbind'), SPARE_NIC]);
  execFileSync(writer, [join(bus, 'drivers', 'igb', 'bind'), SPARE_NIC]);
  const doctor = await passthru('doctor');
  assert.is(doctor.code, 1);
  assert.match(doctor.stdout, `${SPARE_NIC} not_claimed: `);
  const sysfsPaths = doctor.stdout.match(/\/[^\s;)]*bus\/pci[^\s;)]*/g) ?? [];
  assert.ok(sysfsPaths.length > 0, doctor.stdout);
  assert.equal(
    sysfsPaths.filter((path) => !path.startsWith(`${dataDir}/`)),
    [],
  );
});

test.run();
