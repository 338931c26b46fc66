import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DATA_NVME, dataDisk, lvmSr, safetyHost, SR_UUID } from '../support/safety-host.ts';
import { sriovCard, SRIOV_PF, SRIOV_VFS } from '../support/sriov-card.ts';
import { startCliHost, stopCliHost, type CliHost } from '../support/cli-host.ts';
import { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { WITH_IOMMU } from '../support/xl-world.ts';

const test = suite<CliHost>('passthru CLI: what hide --now re-reads and refuses');

const DATA_SR = '9a1f3c2e-7b4d-4e8f-a0c1-2d3e4f5a6b7c';

test.before(async (context) => {
  const sys = sriovCard(dataDisk(safetyHost())).bind(SRIOV_PF, 'mlx4_core');
  const xl = new XcpNgTwin(join(sys.root, 'twin'), WITH_IOMMU, {
    sysfs: sys.root,
    dataDir: join(sys.root, 'var'),
    drivers: { [SRIOV_PF]: 'mlx4_core' },
  });
  Object.assign(context, await startCliHost(sys, 'cli-hand-over-safety', xl.env));
});

test.after(stopCliHost);

test('given a local SR plugged on the data disk after the service started, when the disk is hidden --now, then the CLI exits 1 naming the SR and the disk stays with dom0', async ({
  sys,
  passthru,
}) => {
  lvmSr(sys, DATA_SR, ['nvme1n1'], ['dm-2', '253:2']);
  const run = await passthru('hide', '--now', DATA_NVME);
  assert.equal([run.code, run.stdout], [1, '']);
  assert.match(
    run.stderr,
    `passthru hide: ${DATA_NVME} is protected (local_sr: VG_XenStorage-${DATA_SR}, the local SR ${DATA_SR} through nvme1n1)`,
  );
  // Handed over, pciback would hold it: disabled now.
  assert.is(JSON.parse((await passthru('status', DATA_NVME, '--json')).stdout).dom0_access, 'enabled');
});

test('given an SR-IOV card with its virtual functions, when its physical function is hidden --now, with --force or not, then the CLI exits 1 naming them; without --now it is hidden', async ({
  passthru,
}) => {
  for (const force of [[], ['--force', '--reason', 'the whole card to vm-3']]) {
    const run = await passthru('hide', '--now', SRIOV_PF, ...force);
    assert.equal([run.code, run.stdout], [1, '']);
    assert.match(
      run.stderr,
      `passthru hide: ${SRIOV_PF} has 15 SR-IOV virtual functions now (${SRIOV_VFS.join(', ')}): handing it to pciback now unbinds its driver`,
    );
  }
  assert.is(JSON.parse((await passthru('status', SRIOV_PF, '--json')).stdout).dom0_access, 'enabled');
  const nextBoot = await passthru('hide', SRIOV_PF);
  assert.equal([nextBoot.code, nextBoot.stdout], [0, `${SRIOV_PF}: disabled_on_reboot\n`]);
});

test('given a local LVM SR and no pvs to ask, when passthru doctor runs, then it says the SR’s other disks may be unprotected', async ({
  run,
}) => {
  const doctor = JSON.parse((await run({ PASSTHRU_PVS: '' }, 'doctor', '--json')).stdout);
  assert.ok(
    doctor.safety_problems.includes(
      `VG_XenStorage-${SR_UUID}: only the disks under its active volumes are known, and no pvs is set (PASSTHRU_PVS) to ask LVM for its other physical volumes`,
    ),
  );
  assert.equal(JSON.parse((await run({}, 'doctor', '--json')).stdout).safety_problems, []);
});

test.run();
