import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';

const test = suite('PCI address');

test('a long address comes back in canonical lower case', () => {
  assert.is(parsePciAddress('0000:03:00.0'), '0000:03:00.0');
  assert.is(parsePciAddress('000A:3B:1F.7'), '000a:3b:1f.7');
});

test('a short address gets domain 0000', () => {
  assert.is(parsePciAddress('03:00.1'), '0000:03:00.1');
  assert.is(parsePciAddress('AF:1e.2'), '0000:af:1e.2');
});

for (const bad of [
  '',
  '0000:03:00',
  '0000:03:00.8',
  '0000:03:20.0',
  '00000:03:00.0',
  '3:00.0',
  '0000:03:00.0 ',
  ' 03:00.0',
  '0000:03:00.0;rm -rf /',
  '../../etc/passwd',
  '0000:03:00.0\n',
  'g0:00.0',
  '0000-03-00.0',
]) {
  test(`"${JSON.stringify(bad)}" is rejected as invalid input`, () => {
    try {
      parsePciAddress(bad);
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, PassthruError);
      assert.is((error as PassthruError).kind, 'invalid_input');
    }
  });
}

test.run();
