import { rmSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import {
  EFI_DETAIL,
  GPU,
  GPU_AUDIO,
  ISCSI_DETAIL,
  ISCSI_NIC,
  ISCSI_SPARE_NIC,
  iscsiHost,
  MANAGEMENT_NIC,
  NVME,
  ROOT_DETAIL,
  ROOT_PORT,
  safetyHost,
  SATA,
  SPARE_NIC,
  SR_UUID,
  VGA,
} from '../support/safety-host.ts';
import { World } from '../support/world.ts';
import { failure, LOGIN, serve, success, xmlRpc } from './support.ts';

const test = suite<{ world: World; sys: KernelSysfs; url: string }>('XAPI on a host with protected devices');
test.before.each(async (context) => {
  context.sys = safetyHost();
  context.world = await World.start([], context.sys.env);
  context.url = await serve(context.world);
});
test.after.each(async ({ world, sys }) => {
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

test('given protected devices, when disable_dom0_access is called through xmlrpc.client, then each is refused with XAPI’s code and nothing changes', async ({
  world,
  url,
}) => {
  const [, nvme, port, nic, sata] = await xmlRpc(url, [
    LOGIN,
    ['PCI.disable_dom0_access', '$session', `$PCI:${NVME}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${ROOT_PORT}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${MANAGEMENT_NIC}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${SATA}`],
  ]);
  assert.equal(nvme, failure('BOOT_DEVICE_PASSTHROUGH_DISALLOWED', '/dev/mapper/vg-root'));
  assert.equal(port, failure('BOOT_DEVICE_PASSTHROUGH_DISALLOWED', '/dev/mapper/vg-root'));
  assert.equal(nic, failure('PIF_IS_MANAGEMENT_INTERFACE', 'xenbr0'));
  assert.equal(
    sata,
    failure('OPERATION_NOT_ALLOWED', `the disks of the local storage repository ${SR_UUID} are behind it`),
  );
  assert.equal((await world.get('/v1/host')).json().pending, []);
  const refused = (await world.get('/v1/events?type=Dom0AccessRefused')).json().events;
  assert.equal(
    refused.map((e: { data: { pci: string }; metadata: { actor: string; via: string } }) => [
      e.data.pci,
      e.metadata.actor,
      e.metadata.via,
    ]),
    [NVME, ROOT_PORT, MANAGEMENT_NIC, SATA].map((id) => [id, 'admin', 'xapi']),
  );
});

test('given the system display, when its dom0 access is disabled through xmlrpc.client by PGPU and by PCI, then xapi’s answer is given and each hide is recorded as forced over system_display', async ({
  world,
  url,
}) => {
  const [, byPgpu, afterPgpu, , byPci, afterPci] = await xmlRpc(url, [
    LOGIN,
    ['PGPU.disable_dom0_access', '$session', `$PGPU:${VGA}`],
    ['PCI.get_dom0_access_status', '$session', `$PCI:${VGA}`],
    ['PCI.enable_dom0_access', '$session', `$PCI:${VGA}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${VGA}`],
    ['PGPU.get_dom0_access', '$session', `$PGPU:${VGA}`],
  ]);
  assert.equal(
    [byPgpu, afterPgpu, byPci, afterPci],
    [
      success('disable_on_reboot'),
      success('disable_on_reboot'),
      success('disable_on_reboot'),
      success('disable_on_reboot'),
    ],
  );
  assert.equal((await world.get('/v1/host')).json().pending, [VGA]);
  const disabled = (await world.get('/v1/events?type=Dom0AccessDisabled')).json().events;
  assert.equal(
    disabled.map((e: { data: Record<string, unknown>; metadata: { rpc_method: string } }) => [
      e.metadata.rpc_method,
      e.data.pci,
      e.data.status,
      e.data.forced,
      e.data.overridden,
    ]),
    ['PGPU.disable_dom0_access', 'PCI.disable_dom0_access'].map((method) => [
      method,
      VGA,
      'disabled_on_reboot',
      true,
      [{ reason: 'system_display', detail: 'boot_vga: the display dom0 boots its console on' }],
    ]),
  );
  assert.equal((await world.get('/v1/events?type=Dom0AccessRefused')).json().events, []);
});

test("given an entry xen-pciback cannot parse in the next boot's list, when called through xmlrpc.client, then the device reads enabled, its record names the problem, and a change is OPERATION_NOT_ALLOWED", async ({
  world,
  url,
}) => {
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${GPU})(03:00.8)`);
  const [, status, record, disable] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_dom0_access_status', '$session', `$PCI:${GPU}`],
    ['PCI.get_record', '$session', `$PCI:${GPU}`],
    ['PCI.disable_dom0_access', '$session', `$PCI:${SPARE_NIC}`],
  ]);
  assert.equal(status, success('enabled'));
  assert.match(record.Value.other_config.passthrough, '"code":"hide_list_rejected"');
  assert.equal(disable.ErrorDescription.length, 2);
  assert.is(disable.ErrorDescription[0], 'OPERATION_NOT_ALLOWED');
  assert.match(disable.ErrorDescription[1], "passthru repair-hide-list --drop '(03:00.8)'");
  assert.is(world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide'), `xen-pciback.hide=(${GPU})(03:00.8)\n`);
});

test('given a GPU and its audio function, when their records are read, then dependencies are PCI refs of each other and a protected device says why in other_config', async ({
  url,
}) => {
  const [, records, audio, nvme] = await xmlRpc(url, [
    LOGIN,
    ['PCI.get_all_records', '$session'],
    ['PCI.get_dependencies', '$session', `$PCI:${GPU}`],
    ['PCI.get_record', '$session', `$PCI:${NVME}`],
  ]);
  const refOf = (id: string) =>
    Object.entries(records.Value as Record<string, any>).find(([, r]) => r.pci_id === id)![0];
  assert.equal(audio, success([refOf(GPU_AUDIO)]));
  assert.equal(records.Value[refOf(GPU_AUDIO)].dependencies, [refOf(GPU)]);
  assert.equal(records.Value[refOf(SPARE_NIC)].other_config, {
    passthrough: JSON.stringify({ ready: false, problems: [] }),
  });
  assert.equal(JSON.parse(nvme.Value.other_config.protected), [
    { reason: 'boot_device', detail: ROOT_DETAIL },
    { reason: 'boot_device', detail: EFI_DETAIL },
  ]);
});

test('given the boot VGA, when its PGPU is read, then it is the system display device, and the other GPU is not', async ({
  url,
}) => {
  const [, vga, gpu] = await xmlRpc(url, [
    LOGIN,
    ['PGPU.get_record', '$session', `$PGPU:${VGA}`],
    ['PGPU.get_record', '$session', `$PGPU:${GPU}`],
  ]);
  assert.equal([vga.Value.is_system_display_device, gpu.Value.is_system_display_device], [true, false]);
});

test('given an unprotected device, when disable_dom0_access is called, then it is hidden as before', async ({
  url,
}) => {
  const [, answer] = await xmlRpc(url, [LOGIN, ['PCI.disable_dom0_access', '$session', `$PCI:${SPARE_NIC}`]]);
  assert.equal(answer, success('disable_on_reboot'));
});

test('given / on iSCSI, when the NIC its target is reached through is disabled through xmlrpc.client, then it is refused as a boot device and a spare NIC is not', async () => {
  const sys = iscsiHost();
  const world = await World.start([], sys.env);
  try {
    const [, nic, record, spare] = await xmlRpc(await serve(world), [
      LOGIN,
      ['PCI.disable_dom0_access', '$session', `$PCI:${ISCSI_NIC}`],
      ['PCI.get_record', '$session', `$PCI:${ISCSI_NIC}`],
      ['PCI.disable_dom0_access', '$session', `$PCI:${ISCSI_SPARE_NIC}`],
    ]);
    assert.equal(nic, failure('BOOT_DEVICE_PASSTHROUGH_DISALLOWED', '/dev/sdb1'));
    assert.equal(JSON.parse(record.Value.other_config.protected), [{ reason: 'boot_device', detail: ISCSI_DETAIL }]);
    assert.equal(spare, success('disable_on_reboot'));
    assert.equal((await world.get('/v1/host')).json().pending, [ISCSI_SPARE_NIC]);
  } finally {
    await world.close();
    rmSync(sys.root, { recursive: true, force: true });
  }
});

test.run();
