import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { heldDevices, unescapeXenstore, vmUuidOf } from '../../domain/holders.ts';

const test = suite('who holds a device, as xenstore prints it');

// As `xenstore ls -f /local/domain/0/backend/pci` prints a backend xenopsd wrote for domain 7.
const LISTING = [
  '/local/domain/0/backend/pci/7 = ""',
  '/local/domain/0/backend/pci/7/0 = ""',
  '/local/domain/0/backend/pci/7/0/frontend-id = "7"',
  '/local/domain/0/backend/pci/7/0/key-0 = "0000:03:00.0"',
  '/local/domain/0/backend/pci/7/0/dev-0 = "0000:03:00.0"',
  '/local/domain/0/backend/pci/7/0/dev-1 = "0000:03:00.1"',
  '/local/domain/0/backend/pci/7/0/vdev-1 = "0000:00:05.0"',
  '/local/domain/0/backend/pci/7/0/num_devs = "2"',
  '/local/domain/0/backend/pci/9/0/dev-0 = "0000:04:00.0"',
  '',
].join('\n');

test('given a listing of the PCI backend, then each dev-N names a device and the domain it is passed through to, and nothing else does', () => {
  assert.equal(
    [...heldDevices(LISTING)],
    [
      ['0000:03:00.0', 7],
      ['0000:03:00.1', 7],
      ['0000:04:00.0', 9],
    ],
  );
  assert.equal([...heldDevices('/local/domain/0/backend/pci/0/0/dev-0 = "0000:03:00.0"')], [], 'dom0 holds nothing');
  assert.equal([...heldDevices('/local/domain/0/backend/pci/7/0/dev-0 = "garbage"')], []);
});

test('given a value the client escaped, then it is read back as written: blanks kept, \\t \\\\ \\ooo \\xhh undone', () => {
  assert.is(unescapeXenstore('Win 10 GPU'), 'Win 10 GPU');
  assert.is(unescapeXenstore('a\\tb\\\\c\\001d\\x7fe'), 'a\tb\\c\u0001d\u007fe');
});

test('given a domain’s vm key, then the uuid is read from /vm/<uuid>, and anything else names none', () => {
  assert.is(vmUuidOf('/vm/5B0A3B38-1C55-4C55-9C5A-0E1D0C3E7F00'), '5b0a3b38-1c55-4c55-9c5a-0e1d0c3e7f00');
  assert.is(vmUuidOf('/vm/'), null);
  assert.is(vmUuidOf('something'), null);
});

test.run();
