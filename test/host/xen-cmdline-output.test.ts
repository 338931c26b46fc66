import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassthruError } from '../../domain/errors.ts';
import { XenCmdline } from '../../services/host/xen-cmdline.ts';

// What `xen-cmdline --get-dom0` may print, from a program that prints exactly that.
const test = suite<{ dir: string }>('reading xen-cmdline --get-dom0 output');
test.before.each((context) => {
  context.dir = mkdtempSync(join(tmpdir(), 'passthru-xc-'));
});
test.after.each(({ dir }) => rmSync(dir, { recursive: true, force: true }));

function printing(dir: string, output: string): XenCmdline {
  const program = join(dir, 'xen-cmdline');
  writeFileSync(program, `#!/bin/sh\nprintf '%s' '${output}'\n`);
  chmodSync(program, 0o755);
  return new XenCmdline(program, 5000);
}

test('both keys on one line', async ({ dir }) => {
  const parameters = await printing(dir, 'xen-pciback.hide=(0000:03:00.0) pciback.hide=(0000:04:00.0)\n').getDom0([
    'xen-pciback.hide',
    'pciback.hide',
  ]);
  assert.equal(parameters, [
    { key: 'xen-pciback.hide', value: '(0000:03:00.0)' },
    { key: 'pciback.hide', value: '(0000:04:00.0)' },
  ]);
});

test('one line a key', async ({ dir }) => {
  const parameters = await printing(dir, 'xen-pciback.hide=(0000:03:00.0)\npciback.hide=(0000:04:00.0)\n').getDom0([
    'xen-pciback.hide',
    'pciback.hide',
  ]);
  assert.is(parameters.length, 2);
});

test('a key not asked for, or control characters, is not xen-cmdline answering', async ({ dir }) => {
  for (const output of ['root=/dev/sda1\n', 'xen-pciback.hide=(0000:03:00.0)\t\n']) {
    try {
      await printing(dir, output).getDom0(['xen-pciback.hide']);
      assert.unreachable(JSON.stringify(output));
    } catch (error) {
      assert.instance(error, PassthruError);
      assert.match((error as PassthruError).message, 'printed something that is not a command line');
    }
  }
});

test.run();
