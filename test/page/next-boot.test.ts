import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostView, PciRecord } from '../../page/src/api-types.ts';
import { leftBehind, nextBootChanges, protections, statusAfter } from '../../page/src/next-boot.ts';

const test = suite('what the page says the next boot changes');

const record = (id: string, dom0_access: PciRecord['dom0_access'], extra: Partial<PciRecord> = {}): PciRecord => ({
  id,
  class_id: '030000',
  class_name: 'VGA compatible controller',
  vendor_id: '10de',
  vendor_name: 'NVIDIA',
  device_id: '1db4',
  device_name: `device ${id}`,
  dom0_access,
  protected: null,
  dependencies: [],
  driver: null,
  passthrough: { ready: false, problems: [] },
  assigned_to: null,
  ...extra,
});
const host = (current: string[], pending: string[]): HostView =>
  ({ host_id: 'h', mode: 'simulated', boot_id: 'b', current, pending, projection_position: 0 }) as unknown as HostView;

test('a command sets the next boot and leaves the running kernel as it is', () => {
  assert.is(statusAfter('enabled', 'hide'), 'disabled_on_reboot');
  assert.is(statusAfter('enabled_on_reboot', 'hide'), 'disabled');
  assert.is(statusAfter('disabled', 'unhide'), 'enabled_on_reboot');
  assert.is(statusAfter('disabled_on_reboot', 'unhide'), 'enabled');
  assert.is(statusAfter('disabled', 'hide'), 'disabled');
});

test('handed over now, pciback takes or lets go of the device at once, but the running kernel’s own list still hides', () => {
  assert.is(statusAfter('enabled', 'hide', 'now'), 'disabled');
  assert.is(statusAfter('disabled_on_reboot', 'hide', 'now'), 'disabled');
  assert.is(statusAfter('disabled', 'unhide', 'now'), 'enabled');
  assert.is(statusAfter('disabled', 'unhide', 'now', true), 'enabled_on_reboot');
  assert.is(statusAfter('disabled', 'unhide', 'next-boot'), 'enabled_on_reboot');
});

test('the next boot hides what its list adds and gives back what it drops, unknown devices too', () => {
  const pcis = [record('0000:03:00.0', 'disabled_on_reboot'), record('0000:04:00.0', 'enabled_on_reboot')];
  const changes = nextBootChanges(host(['0000:04:00.0', '0000:06:00.0'], ['0000:03:00.0', '0000:06:00.0']), pcis);
  assert.equal(
    changes.map((c) => [c.id, c.hidden, c.record?.device_name ?? null]),
    [
      ['0000:03:00.0', true, 'device 0000:03:00.0'],
      ['0000:04:00.0', false, 'device 0000:04:00.0'],
    ],
  );
  assert.equal(nextBootChanges(host(['0000:06:00.0'], ['0000:06:00.0']), []), []);
  assert.equal(
    nextBootChanges(host([], ['0000:09:00.0']), []).map((c) => [c.id, c.record]),
    [['0000:09:00.0', null]],
  );
});

test('a device handed over now is no change of the next boot; one pciback holds that the next boot does not hide is', () => {
  const pcis = [record('0000:03:00.0', 'disabled'), record('0000:04:00.0', 'enabled_on_reboot')];
  assert.equal(
    nextBootChanges(host([], ['0000:03:00.0']), pcis).map((c) => [c.id, c.hidden]),
    [['0000:04:00.0', false]],
  );
});

test('a hide warns of dependencies that stay with dom0, and of no other', () => {
  const gpu = record('0000:03:00.0', 'enabled', { dependencies: ['0000:03:00.1', '0000:03:00.2', '0000:03:00.3'] });
  const pcis = [
    gpu,
    record('0000:03:00.1', 'enabled'),
    record('0000:03:00.2', 'disabled_on_reboot'),
    record('0000:03:00.3', 'enabled'),
  ];
  assert.equal(leftBehind([gpu, pcis[3]!], pcis), [
    '0000:03:00.1 (device 0000:03:00.1) stays with dom0: passthrough of 0000:03:00.0 needs it hidden too',
  ]);
  assert.equal(leftBehind([record('0000:05:00.0', 'enabled')], pcis), []);
});

test('protections read as a list, empty for a device that has none', () => {
  const boot = { reason: 'boot_device', detail: '/dev/nvme0n1p2 on /' } as const;
  const display = { reason: 'system_display', detail: 'boot_vga' } as const;
  assert.equal(protections(record('a', 'enabled')), []);
  assert.equal(protections(record('a', 'enabled', { protected: [boot, display] })), [boot, display]);
});

test.run();
