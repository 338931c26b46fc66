import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { coveredDevices } from '../../domain/hide-list.ts';
import { hideListOf, IGNORED_HIDE_KEY, parseKernelCmdline, valueOf } from '../../domain/kernel-cmdline.ts';

const test = suite('kernel command line');

const hidden = (line: string) => [...coveredDevices(hideListOf(parseKernelCmdline(line)), [])].sort();

test('parameters split on spaces and tabs, however many, with keys that have no value', () => {
  assert.equal(parseKernelCmdline('  ro\t\tquiet   root=/dev/sda1 \t console=hvc0  '), [
    { key: 'ro', value: null },
    { key: 'quiet', value: null },
    { key: 'root', value: '/dev/sda1' },
    { key: 'console', value: 'hvc0' },
  ]);
});

test('a quoted value keeps its spaces and loses its quotes', () => {
  assert.equal(parseKernelCmdline('a="b c  d" e'), [
    { key: 'a', value: 'b c  d' },
    { key: 'e', value: null },
  ]);
});

test('quotes around a whole parameter are dropped too', () => {
  assert.equal(parseKernelCmdline('"e=f g" "h"'), [
    { key: 'e', value: 'f g' },
    { key: 'h', value: null },
  ]);
});

test('an empty value is empty, not absent, and only the first = splits', () => {
  assert.equal(parseKernelCmdline('h= j="" k=l=m'), [
    { key: 'h', value: '' },
    { key: 'j', value: '' },
    { key: 'k', value: 'l=m' },
  ]);
});

test('a blank command line has no parameters', () => {
  assert.equal(parseKernelCmdline(''), []);
  assert.equal(parseKernelCmdline(' \t\n'), []);
});

test('given xen-pciback.hide and pciback.hide, when read, then only xen-pciback.hide hides: no kernel reads the other', () => {
  const line = 'ro xen-pciback.hide=(0000:05:00.0)(0000:03:00.0) pciback.hide=(0000:04:00.0)';
  assert.equal(hidden(line), ['0000:03:00.0', '0000:05:00.0']);
  assert.is(valueOf(parseKernelCmdline(line), IGNORED_HIDE_KEY), '(0000:04:00.0)');
  assert.is(valueOf(parseKernelCmdline('ro'), IGNORED_HIDE_KEY), null);
});

test('the underscore spelling xen_pciback.hide is the same key', () => {
  assert.equal(hidden('xen_pciback.hide=(0000:03:00.0)'), ['0000:03:00.0']);
});

test('a repeated key counts by its last value only, per key', () => {
  assert.equal(
    hidden('xen-pciback.hide=(03:00.0) pciback.hide=(04:00.0) xen_pciback.hide=(05:00.0) pciback.hide=(06:00.0)'),
    ['0000:05:00.0'],
  );
});

test('a last value that is empty or missing hides nothing under that key', () => {
  assert.equal(hidden('xen-pciback.hide=(03:00.0) xen-pciback.hide='), []);
  assert.equal(hidden('xen-pciback.hide=(03:00.0) xen-pciback.hide'), []);
});

test('no hide key hides nothing', () => {
  assert.equal(hidden('ro quiet xen-pciback.passthrough=1'), []);
});

test('short and upper-case addresses come back canonical, sorted, without duplicates', () => {
  assert.equal(hidden('xen-pciback.hide=(0A:00.1)(0000:03:00.0)(03:00.0)(0000:0a:00.1)'), [
    '0000:03:00.0',
    '0000:0a:00.1',
  ]);
});

test.run();
