import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { EFI_DETAIL, NVME, ROOT_DETAIL, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { runCli, type CliRun } from '../support/cli-run.ts';
import { startService, stopService, type ServiceProcess } from '../support/service-process.ts';
import { nextDom0Line, padDom0Line, xenCmdline } from '../support/dom0-line.ts';

const test = suite<{
  sys: KernelSysfs;
  dataDir: string;
  service: ServiceProcess;
  passthru: (...args: string[]) => Promise<CliRun>;
}>('passthru CLI: the next boot');

test.before(async (context) => {
  context.sys = safetyHost();
  context.dataDir = join(context.sys.root, 'var');
  const env = {
    ...context.sys.env,
    PASSTHRU_DATA_DIR: context.dataDir,
    PASSTHRU_TOKEN: 'cli-next-boot-token',
    PASSTHRU_HOST_ID: 'cli-next-boot-host',
  };
  context.service = await startService(env);
  const port = new URL(context.service.url).port;
  context.passthru = (...args) =>
    runCli(args, { env: { ...process.env, ...env, PASSTHRU_PORT: port, PASSTHRU_HOST_MODE: 'simulated' } });
});

test.after.each(({ dataDir }) => {
  xenCmdline(dataDir, '--delete-dom0', 'pad');
  xenCmdline(dataDir, '--delete-dom0', 'xen-pciback.hide');
});

test.after(async ({ service, sys }) => {
  await stopService(service);
  rmSync(sys.root, { recursive: true, force: true });
});

test('given a fresh host, passthru preflight exits 0, saying the next boot is ok and the line’s length', async ({
  passthru,
  dataDir,
}) => {
  const run = await passthru('preflight');
  assert.is(run.code, 0);
  assert.is(
    run.stdout,
    `Next boot: ok, it comes back and hides what its list says\nThe dom0 line is ${nextDom0Line(dataDir).length} of 991 characters\n`,
  );
});

test('given a hide that would make the dom0 line 992 characters, the CLI exits 1 saying how many more devices fit', async ({
  passthru,
  dataDir,
}) => {
  padDom0Line(dataDir, 992 - ` xen-pciback.hide=(${SPARE_NIC})`.length);
  const run = await passthru('hide', SPARE_NIC);
  assert.is(run.code, 1);
  assert.match(run.stderr, 'the dom0 line is 960 of 991 characters: 0 more devices fit');
  assert.not.match(nextDom0Line(dataDir), 'xen-pciback.hide');
});

test('given the boot disk hidden by hand, passthru preflight and doctor exit 1 naming it, and reboot says so first', async ({
  passthru,
}) => {
  await passthru('hide', NVME, '--force', '--reason', 'a test of the preflight');
  const run = await passthru('preflight');
  assert.is(run.code, 1);
  assert.match(run.stdout, /^Next boot: NOT SAFE, fix this before you reboot:$/m);
  assert.match(
    run.stdout,
    `  protected_device_hidden: the next boot hides ${NVME} (boot_device: ${ROOT_DETAIL}; boot_device: ${EFI_DETAIL}), which dom0 needs to come back: unhide it (passthru unhide ${NVME}) before you reboot\n`,
  );
  const json = JSON.parse((await passthru('preflight', '--json')).stdout);
  assert.equal(
    json.problems.map((p: { code: string; ids: string[] }) => [p.code, p.ids]),
    [['protected_device_hidden', [NVME]]],
  );
  const doctor = await passthru('doctor');
  assert.is(doctor.code, 1);
  assert.match(doctor.stdout, `protected_device_hidden: the next boot hides ${NVME}`);
  const reboot = await passthru('reboot');
  assert.is(reboot.code, 0);
  assert.match(reboot.stdout, /^Next boot: NOT SAFE, fix this before you reboot:\n {2}protected_device_hidden: /);
});

test.run();
