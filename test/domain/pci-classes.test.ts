import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { builtInClassName } from '../../domain/pci-classes.ts';

const test = suite('built-in PCI class names');

test('the classes a dom0 shows most are named by their programming interface, else subclass, else base class', () => {
  assert.equal(
    ['020000', '030000', '030200', '010802', '010601', '0c0330', '060400', '040300', '080600', '0c0500'].map(
      builtInClassName,
    ),
    [
      'Ethernet controller',
      'VGA compatible controller',
      '3D controller',
      'NVM Express controller',
      'SATA controller (AHCI)',
      'USB controller (xHCI)',
      'PCI bridge',
      'High Definition Audio controller',
      'IOMMU',
      'SMBus controller',
    ],
  );
});

test('a subclass or programming interface the table lacks falls back to the nearest name it has', () => {
  assert.is(builtInClassName('0201ab'), 'Token Ring controller');
  assert.is(builtInClassName('02ee00'), 'Network controller');
  assert.is(builtInClassName('0C0330'), 'USB controller (xHCI)');
});

test('every base class the specification assigns has a name; others and malformed codes have none', () => {
  const assigned = [...Array.from({ length: 0x14 }, (_, i) => i), 0x40, 0xff];
  for (const base of assigned) {
    const code = `${base.toString(16).padStart(2, '0')}0000`;
    assert.type(builtInClassName(code), 'string', code);
  }
  assert.is(builtInClassName('e50000'), null);
  assert.is(builtInClassName('0200'), null);
  assert.is(builtInClassName('02000g'), null);
});

test.run();
