import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { GPU, GPU_AUDIO, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { DOM0_DRIVERS, WITH_IOMMU } from '../support/xl-world.ts';

// The twin's stand-ins against what the real programs print and do on an XCP-ng host, as read in their sources.
const test = suite<{ sys: KernelSysfs; twin: XcpNgTwin; cmdline: string }>('the XCP-ng twin: xl, xenstore, the kernel');

test.before.each((context) => {
  context.sys = safetyHost().bind(GPU, 'nouveau').bind(GPU_AUDIO, 'snd_hda_intel').bind(SPARE_NIC, 'igb');
  const dataDir = join(context.sys.root, 'var');
  mkdirSync(join(dataDir, 'host'), { recursive: true });
  context.cmdline = join(dataDir, 'host', 'proc-cmdline');
  writeFileSync(context.cmdline, `root=LABEL=root ro xen-pciback.hide=(${GPU})\n`);
  writeFileSync(join(dataDir, 'host', 'boot_id'), 'boot-1\n');
  context.twin = new XcpNgTwin(join(context.sys.root, 'twin'), WITH_IOMMU, {
    sysfs: context.sys.root,
    dataDir,
    drivers: DOM0_DRIVERS,
  });
});
test.after.each(({ sys }) => rmSync(sys.root, { recursive: true, force: true }));

const run = (program: string, ...args: string[]) => {
  const { status, stdout, stderr } = spawnSync(program, args, { encoding: 'utf8' });
  return { status, stdout, stderr };
};
const driver = (twin: XcpNgTwin, id: string) => twin.driverOf(id);

test('given an HVM guest of xenopsd, then xl list prints its name with blanks as %-40s %5d, pci-list nothing, and xenstore its backend', ({
  twin,
}) => {
  twin.guest(7, 'Win 10 GPU', [SPARE_NIC]);
  const list = run(twin.program, 'list').stdout.split('\n');
  assert.is(list[2], `${'Win 10 GPU'.padEnd(40)}     7  2048     2     -b----      10.0`);
  assert.equal(run(twin.program, 'pci-list', '7'), { status: 0, stdout: '', stderr: '' });
  assert.equal(run(twin.xenstore, 'ls', '-f', '/local/domain/0/backend/pci').stdout.split('\n').slice(0, 4), [
    '/local/domain/0/backend/pci/7 = ""',
    '/local/domain/0/backend/pci/7/0 = ""',
    '/local/domain/0/backend/pci/7/0/frontend-id = "7"',
    `/local/domain/0/backend/pci/7/0/key-0 = "${SPARE_NIC}"`,
  ]);
  assert.equal(
    run(twin.xenstore, 'read', '/local/domain/7/name', '/local/domain/7/vm').stdout,
    'Win 10 GPU\n/vm/00000000-0000-4000-8000-000000000007\n',
  );
  assert.is(driver(twin, SPARE_NIC), 'pciback', 'xenopsd bound it to pciback itself');
});

test('given a PV guest xl started on plain libxl, then pci-list shows its devices as Vdev Device', ({ twin }) => {
  twin.guest(4, 'pv', [SPARE_NIC], { by: 'xl', type: 'pv' });
  assert.is(run(twin.program, 'pci-list', '4').stdout, `Vdev Device\n04.0 ${SPARE_NIC}\n`);
});

test('given missing paths, then xenstore fails as the client does: xs_directory’s errno for ls, "couldn’t read path" for read', ({
  twin,
}) => {
  assert.equal(run(twin.xenstore, 'ls', '-f', '/local/domain/0/backend/pci'), {
    status: 1,
    stdout: '',
    stderr: 'xenstore: xs_directory (/local/domain/0/backend/pci): No such file or directory\n',
  });
  assert.equal(run(twin.xenstore, 'read', '/local/domain/9/name'), {
    status: 1,
    stdout: '',
    stderr: "xenstore: couldn't read path /local/domain/9/name\n",
  });
});

test('given xl pci-assignable-add, then dom0’s driver is saved and unbound, pciback bound, and the device quarantined; assignable-list ends each line with a blank', ({
  twin,
}) => {
  assert.is(run(twin.program, 'pci-assignable-add', SPARE_NIC).status, 0);
  assert.is(driver(twin, SPARE_NIC), 'pciback');
  assert.ok(twin.state().quarantined.includes(SPARE_NIC));
  assert.is(run(twin.program, 'pci-assignable-list').stdout, `${SPARE_NIC} \n`);
  assert.equal(run(twin.program, 'pci-assignable-remove', '-r', SPARE_NIC), { status: 0, stdout: '', stderr: '' });
  assert.is(driver(twin, SPARE_NIC), 'igb');
});

test('given a guest’s device, then assignable-add fails to quarantine it', ({ twin }) => {
  twin.guest(7, 'win', [SPARE_NIC]);
  const add = run(twin.program, 'pci-assignable-add', SPARE_NIC);
  assert.is(add.status, 1);
  assert.match(
    add.stderr,
    `libxl: error: libxl_pci.c:848:libxl__device_pci_assignable_add: failed to quarantine ${SPARE_NIC}`,
  );
});

test('given a device pciback took at boot, then assignable-remove fails to de-quarantine it, and changes nothing', ({
  twin,
  sys,
}) => {
  sys.bind(GPU, 'pciback');
  const remove = run(twin.program, 'pci-assignable-remove', '-r', GPU);
  assert.is(remove.status, 1);
  assert.match(remove.stderr, `failed to de-quarantine ${GPU}`);
  assert.is(driver(twin, GPU), 'pciback');
});

test('given no driver saved, then remove -r warns "not rebinding", leaves no driver and exits 0', ({ twin, sys }) => {
  sys.bind(SPARE_NIC, null);
  assert.is(run(twin.program, 'pci-assignable-add', SPARE_NIC).status, 0);
  const remove = run(twin.program, 'pci-assignable-remove', '-r', SPARE_NIC);
  assert.is(remove.status, 0);
  assert.match(remove.stderr, "Couldn't find path for original driver; not rebinding");
  assert.is(driver(twin, SPARE_NIC), null);
});

test('given pciback’s list (boot list, plus new_slot, less remove_slot), then drivers_probe binds pciback for a device it names, else dom0’s driver', ({
  twin,
  sys,
}) => {
  const write = (file: string, value: string) => run(twin.sysfsWriter, join(sys.root, 'bus', 'pci', file), value);
  sys.bind(GPU, null);
  assert.is(write('drivers_probe', GPU).status, 0);
  assert.is(driver(twin, GPU), 'pciback', 'the boot list names it');
  assert.equal(write('drivers/pciback/unbind', GPU), { status: 0, stdout: '', stderr: '' });
  assert.is(write('drivers/pciback/remove_slot', GPU).status, 0);
  assert.equal(write('drivers/pciback/remove_slot', GPU), { status: 1, stdout: '', stderr: 'write error: ENOENT\n' });
  assert.is(write('drivers_probe', GPU).status, 0);
  assert.is(driver(twin, GPU), 'nouveau');
  assert.equal(write('drivers/pciback/bind', SPARE_NIC), { status: 1, stdout: '', stderr: 'write error: ENODEV\n' });
  assert.is(write(`devices/${SPARE_NIC}/driver/unbind`, SPARE_NIC).status, 0);
  assert.is(write('drivers/pciback/new_slot', SPARE_NIC).status, 0);
  assert.is(write('drivers_probe', SPARE_NIC).status, 0);
  assert.is(driver(twin, SPARE_NIC), 'pciback');
});

test.run();
