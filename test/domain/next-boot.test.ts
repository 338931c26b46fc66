import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { dom0LineRoom, dom0LineWith, runningLineCut } from '../../domain/dom0-line.ts';
import { parseGrubConfig } from '../../domain/grub-config.ts';
import { parseHideList } from '../../domain/hide-list.ts';
import { preflight, type NextBootFacts } from '../../domain/next-boot.ts';
import type { PciAddress } from '../../domain/pci-address.ts';

const test = suite('the next boot: the dom0 line, the grub configuration, the preflight');

const GPU = '0000:03:00.0' as PciAddress;
const NIC = '0000:04:00.0' as PciAddress;

test('xen-cmdline’s set drops the key wherever it is and appends it last, joined by one blank', () => {
  assert.is(
    dom0LineWith('ro  xen-pciback.hide=(0000:03:00.0) foo="a b" quiet', 'xen-pciback.hide', '(0000:04:00.0)'),
    'ro foo="a b" quiet xen-pciback.hide=(0000:04:00.0)',
  );
  assert.is(dom0LineWith('ro xen-pciback.hide=(0000:03:00.0) quiet', 'xen-pciback.hide', null), 'ro quiet');
});

test('the room on a line: the key costs the first device 18 more, each device after 14', () => {
  assert.equal(dom0LineRoom('x'.repeat(959)), { length: 959, limit: 991, more_devices: 1 });
  assert.equal(dom0LineRoom('x'.repeat(960)), { length: 960, limit: 991, more_devices: 0 });
  const keyed = `${'x'.repeat(960)} xen-pciback.hide=(0000:03:00.0)`;
  assert.equal(dom0LineRoom(keyed), { length: 992, limit: 991, more_devices: 0 });
  assert.is(dom0LineRoom(`ro xen-pciback.hide=${'(0000:03:00.0)'.repeat(2)}`).more_devices, 67);
});

test('the default entry’s module2 arguments are the dom0 line; an indented set default is grub’s own', () => {
  const cfg =
    'set default=1\nif [ -n "$override_entry" ]; then\n\tset default=$override_entry\nfi\n' +
    "menuentry 'XCP-ng' {\n\tmultiboot2 /boot/xen.gz dom0_mem=1G\n\tmodule2 /boot/vmlinuz-4.19-xen ro a\n\tmodule2 /boot/initrd.img\n}\n" +
    "menuentry 'XCP-ng (Serial)' {\n\tmultiboot2 /boot/xen.gz com1=115200\n\tmodule2 /boot/vmlinuz-4.19-xen ro b\n}\n";
  assert.is(parseGrubConfig(cfg, 'XCP-ng').default?.dom0Line, 'ro b');
  assert.is(parseGrubConfig(cfg.replace('set default=1', "set default='xe'"), 'XCP-ng').default?.dom0Line, 'ro a');
  assert.is(parseGrubConfig(cfg.replace('set default=1', 'set default=7'), 'XCP-ng').default, null);
});

const line1023 = (tail: string) => `${'x'.repeat(1023 - tail.length - 1)} ${tail}`;

test('a running line shorter than 1023 was not cut', () => {
  assert.is(runningLineCut(`${'x'.repeat(1022)}\n`), null);
});

test('a running line cut in the middle of a hide list entry: xen-pciback rejected the list', () => {
  const cut = runningLineCut(`${line1023('xen-pciback.hide=(0000:03:00.0)(0000:0')}\n`);
  assert.is(cut?.hide_list, 'cut_mid_entry');
  assert.is(cut?.length, 1023);
  assert.match(cut!.detail, 'rejected the whole list and hid no device');
});

test('a running line cut at the end of an entry: the entries after it were lost', () => {
  assert.is(runningLineCut(line1023('xen-pciback.hide=(0000:03:00.0)'))?.hide_list, 'cut_at_entry_end');
});

test('a running line cut after the hide list, or before it', () => {
  assert.is(runningLineCut(line1023('xen-pciback.hide=(0000:03:00.0) quiet'))?.hide_list, 'whole');
  assert.is(runningLineCut(line1023('xen-pcib'))?.hide_list, 'absent');
});

const facts = (over: Partial<NextBootFacts> = {}): NextBootFacts => ({
  dom0Line: `ro xen-pciback.hide=(${GPU})`,
  hideList: parseHideList(`(${GPU})`),
  hidden: [GPU],
  protections: new Map(),
  hardware: new Map(),
  ...over,
});
const codes = (over: Partial<NextBootFacts>) => preflight(facts(over)).problems.map((p) => p.code);

test('a safe next boot is ok, with the line’s length and the limit', () => {
  assert.equal(preflight(facts()), { ok: true, problems: [], dom0_line_length: 34, limit: 991 });
});

test('each way the next boot goes wrong has its code', () => {
  assert.equal(codes({ dom0Line: 'x'.repeat(992) }), ['command_line_too_long']);
  assert.equal(codes({ dom0Line: 'x'.repeat(991) }), []);
  assert.equal(codes({ hideList: parseHideList(`(${GPU})(0000:0`) }), ['hide_list_rejected']);
  assert.equal(
    codes({
      protections: new Map([[GPU, [{ reason: 'boot_device', detail: '/dev/sda1 on /', subject: '/dev/sda1' }]]]),
    }),
    ['protected_device_hidden'],
  );
  const was = { class_id: '030000', vendor_id: '10de', device_id: '1db4' };
  assert.equal(codes({ hardware: new Map([[GPU, { recorded: was, found: { ...was, device_id: '2204' } }]]) }), [
    'device_changed',
  ]);
  assert.equal(codes({ hardware: new Map([[GPU, { recorded: was, found: was }]]) }), []);
  const board = { ...was, subsystem_vendor_id: '1458', subsystem_device_id: '3fbe' };
  assert.equal(
    codes({ hardware: new Map([[GPU, { recorded: board, found: { ...board, subsystem_vendor_id: '1043' } }]]) }),
    ['device_changed'],
  );
  // Recorded before passthru read subsystems: compared by class, vendor and device.
  assert.equal(codes({ hardware: new Map([[GPU, { recorded: was, found: board }]]) }), []);
  assert.equal(codes({ dom0Line: `ro xen-pciback.hide=(${GPU}) xen_pciback.hide=(${NIC})` }), ['duplicate_hide_key']);
  assert.equal(codes({ dom0Line: `ro pciback.hide=(${NIC}) xen-pciback.hide=(${GPU})` }), ['duplicate_hide_key']);
  assert.equal(codes({ dom0Line: `ro -- single xen-pciback.hide=(${GPU})` }), ['hide_after_double_dash']);
  assert.equal(codes({ dom0Line: null }), []);
});

test.run();
