import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

// The stand-in does what XCP-ng's xen-cmdline does (xcp-ng/xcp-ng-release,
// src/common/opt/xensource/libexec/xen-cmdline, over xenserver/python-libs' xcp/bootloader.py).
const test = suite('simulated xen-cmdline');

const SCRIPT = fileURLToPath(new URL('../../services/host/simulated/xen-cmdline.js', import.meta.url));
const LINE = 'root=LABEL=root-x ro console=hvc0 foo="a b" xen-pciback.hide=(0000:03:00.0) quiet';

/** A grub.cfg as xcp.bootloader writes it: the product's entry, its serial twin, safe mode. */
function grubCfg(line: string, { serial = line, safe = `${line} nomodeset`, defaultEntry = '0' } = {}): string {
  const entry = (title: string, dom0: string) =>
    `menuentry '${title}' {\n\tsearch --label --set root root-x\n\tmultiboot2 /boot/xen.gz dom0_mem=2048M\n` +
    `\tmodule2 /boot/vmlinuz-4.19-xen ${dom0}\n\tmodule2 /boot/initrd-4.19-xen.img\n}\n`;
  return (
    `set default=${defaultEntry}\nset timeout=5\nif [ -n "$override_entry" ]; then\n\tset default=$override_entry\nfi\n` +
    entry('XCP-ng', line) +
    entry('XCP-ng (Serial)', serial) +
    entry('XCP-ng in Safe Mode', safe)
  );
}

/** The dom0 line of each entry, in order. */
const dom0Lines = (cfg: string) => [...cfg.matchAll(/module2 \/boot\/vmlinuz\S* ?(.*)/g)].map((m) => m[1]);

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface BootConfig {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  run(args: string[], options?: { fault?: string; direct?: boolean; timeout?: number }): Outcome;
  content(): string;
  lines(): string[];
}

function withBootConfig(
  initial: string | null,
  check: (boot: BootConfig) => void,
  where = 'boot/grub/grub.cfg',
): () => void {
  return () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-'));
    const file = path.join(root, where);
    try {
      if (initial !== null) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, initial);
      }
      const env: NodeJS.ProcessEnv = {
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        PASSTHRU_SIMULATED_ROOT: root,
      };
      check({
        root,
        env,
        run: (args, { fault, direct = false, timeout } = {}) =>
          run(
            direct ? SCRIPT : process.execPath,
            direct ? args : [SCRIPT, ...args],
            { ...env, ...(fault ? { PASSTHRU_SIMULATED_FAULT: fault } : {}) },
            timeout,
          ),
        content: () => fs.readFileSync(file, 'utf8'),
        lines: () => dom0Lines(fs.readFileSync(file, 'utf8')) as string[],
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv, timeout = 10_000): Outcome {
  try {
    const stdout = execFileSync(program, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const failed = error as { status: number | null; code?: string; stdout: string; stderr: string };
    if (failed.code === 'ETIMEDOUT') return { status: -1, stdout: failed.stdout, stderr: 'timed out' };
    return { status: failed.status ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test(
  'given no hide key on the dom0 line, get prints just a newline',
  withBootConfig(grubCfg('root=LABEL=root-x ro quiet'), (boot) => {
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide', 'pciback.hide']), { status: 0, stdout: '\n', stderr: '' });
  }),
);

test(
  'given several keys, get prints each matching argument on a line of its own, in the line order (print of "\\n".join)',
  withBootConfig(grubCfg(`${LINE} pciback.hide=(0000:04:00.0)`), (boot) => {
    assert.equal(boot.run(['--get-dom0', 'pciback.hide', 'xen-pciback.hide']), {
      status: 0,
      stdout: 'xen-pciback.hide=(0000:03:00.0)\npciback.hide=(0000:04:00.0)\n',
      stderr: '',
    });
    assert.is(boot.run(['--get-dom0', 'foo']).stdout, 'foo="a b"\n', 'a quoted value is printed verbatim');
  }),
);

test(
  'get matches the key as spelled (_match_arg): xen_pciback.hide is not xen-pciback.hide',
  withBootConfig(grubCfg('ro xen_pciback.hide=(0000:04:00.0)'), (boot) => {
    assert.is(boot.run(['--get-dom0', 'xen-pciback.hide']).stdout, '\n');
  }),
);

test(
  'get reads the default entry (set default=1 names the serial one), not the first',
  withBootConfig(grubCfg('ro', { serial: 'ro xen-pciback.hide=(0000:05:00.0)', defaultEntry: '1' }), (boot) => {
    assert.is(boot.run(['--get-dom0', 'xen-pciback.hide']).stdout, 'xen-pciback.hide=(0000:05:00.0)\n');
  }),
);

test(
  'set drops the key wherever it is, appends it last, and changes the xe and xe-serial entries only',
  withBootConfig(grubCfg(LINE), (boot) => {
    assert.equal(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)']), { status: 0, stdout: '', stderr: '' });
    const line = 'root=LABEL=root-x ro console=hvc0 foo="a b" quiet xen-pciback.hide=(0000:05:00.0)';
    assert.equal(boot.lines(), [line, line, `${LINE} nomodeset`]);
    assert.match(boot.content(), '\tmultiboot2 /boot/xen.gz dom0_mem=2048M\n', 'the rest of the file is kept');
  }),
);

test(
  'set or delete of several keys in one call duplicates every other argument (_filter_args)',
  withBootConfig(grubCfg('ro quiet'), (boot) => {
    assert.is(boot.run(['--set-dom0', 'a=1', 'b=2']).status, 0);
    assert.is(boot.lines()[0], 'ro ro quiet quiet a=1 b=2');
    assert.is(boot.run(['--delete-dom0', 'a', 'b']).status, 0);
    assert.is(boot.lines()[0], 'ro ro ro ro quiet quiet quiet quiet a=1 b=2');
  }),
);

test(
  'delete of one key removes every argument of that key and nothing else',
  withBootConfig(grubCfg(`${LINE} xen-pciback.hide=(0000:04:00.0)`), (boot) => {
    assert.is(boot.run(['--delete-dom0', 'xen-pciback.hide']).status, 0);
    assert.is(boot.lines()[0], 'root=LABEL=root-x ro console=hvc0 foo="a b" quiet');
  }),
);

test(
  'the first of the UEFI, grub and grub2 configurations is the one edited (Bootloader.loadExisting)',
  withBootConfig(
    grubCfg('ro'),
    (boot) => {
      const grub = path.join(boot.root, 'boot/grub/grub.cfg');
      fs.mkdirSync(path.dirname(grub), { recursive: true });
      fs.writeFileSync(grub, grubCfg('ro grub'));
      assert.is(boot.run(['--set-dom0', 'iommu=1']).status, 0);
      assert.equal(dom0Lines(fs.readFileSync(grub, 'utf8'))[0], 'ro grub');
      assert.is(boot.lines()[0], 'ro iommu=1');
    },
    'boot/efi/EFI/xenserver/grub.cfg',
  ),
);

test(
  'given no boot configuration, it fails as loadExisting does, exit 1',
  withBootConfig(null, (boot) => {
    const outcome = boot.run(['--get-dom0', 'xen-pciback.hide']);
    assert.is(outcome.status, 1);
    assert.match(outcome.stderr, 'No existing bootloader configuration found');
  }),
);

test(
  'an option with no arguments, or an unknown one, does nothing and exits 0, as the real one does',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    assert.equal(boot.run(['--get-dom0']), { status: 0, stdout: '', stderr: '' });
    assert.equal(boot.run(['--frobnicate', 'x']), { status: 0, stdout: '', stderr: '' });
    assert.is(boot.content(), before);
  }),
);

test(
  'when run directly as an executable, it behaves the same',
  withBootConfig(grubCfg(LINE), (boot) => {
    assert.ok((fs.statSync(SCRIPT).mode & 0o111) !== 0, 'the script is executable');
    assert.equal(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { direct: true }).status, 0);
    assert.is(
      boot.run(['--get-dom0', 'xen-pciback.hide'], { direct: true }).stdout,
      'xen-pciback.hide=(0000:05:00.0)\n',
    );
  }),
);

test(
  'given no PASSTHRU_SIMULATED_ROOT, it exits 2 with a message naming the variable',
  withBootConfig(grubCfg(LINE), (boot) => {
    const outcome = run(process.execPath, [SCRIPT, '--get-dom0', 'xen-pciback.hide'], { PATH: boot.env.PATH });
    assert.is(outcome.status, 2);
    assert.is(outcome.stdout, '');
    assert.match(outcome.stderr, 'PASSTHRU_SIMULATED_ROOT');
  }),
);

test(
  'given the fault "exit", get, set and delete exit 3 and change nothing',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    const expected = { status: 3, stdout: '', stderr: 'xen-cmdline: simulated failure\n' };
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'exit' }), expected);
    assert.equal(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { fault: 'exit' }), expected);
    assert.equal(boot.run(['--delete-dom0', 'xen-pciback.hide'], { fault: 'exit' }), expected);
    assert.is(boot.content(), before);
  }),
);

test(
  'given the fault "hang", it never answers and changes nothing',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    assert.is(
      // Far above the stand-in's start (under 0.2 s): a run that ends by itself ends well before.
      boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { fault: 'hang', timeout: 3000 }).stderr,
      'timed out',
    );
    assert.is(boot.content(), before);
  }),
);

test(
  'given the fault "garbage", it prints garbage, exits 0 and changes nothing',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    const garbage = { status: 0, stdout: '\x00\x01not a command line ((((', stderr: '' };
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'garbage' }), garbage);
    assert.equal(boot.run(['--delete-dom0', 'xen-pciback.hide'], { fault: 'garbage' }), garbage);
    assert.is(boot.content(), before);
  }),
);

test(
  'given the fault "fail-get", get exits 3 while set and delete work',
  withBootConfig(grubCfg(LINE), (boot) => {
    assert.is(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'fail-get' }).status, 3);
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-get' }).status, 0);
    assert.is(boot.run(['--delete-dom0', 'quiet'], { fault: 'fail-get' }).status, 0);
    assert.is(boot.lines()[0], 'root=LABEL=root-x ro console=hvc0 foo="a b" xen-pciback.hide=(0000:03:00.0) iommu=1');
  }),
);

test(
  'given the fault "fail-set", set and delete exit 3 and change nothing while get works',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-set' }).status, 3);
    assert.is(boot.run(['--delete-dom0', 'quiet'], { fault: 'fail-set' }).status, 3);
    assert.equal(boot.run(['--get-dom0', 'console'], { fault: 'fail-set' }), {
      status: 0,
      stdout: 'console=hvc0\n',
      stderr: '',
    });
    assert.is(boot.content(), before);
  }),
);

test(
  'given the fault "fail-delete", only delete exits 3 and changes nothing',
  withBootConfig(grubCfg(LINE), (boot) => {
    const before = boot.content();
    assert.is(boot.run(['--delete-dom0', 'console'], { fault: 'fail-delete' }).status, 3);
    assert.is(boot.content(), before);
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-delete' }).status, 0);
    assert.is(boot.run(['--get-dom0', 'iommu'], { fault: 'fail-delete' }).stdout, 'iommu=1\n');
  }),
);

test(
  'given the fault "fail-get-after-write", get works until a write has happened, then exits 3',
  withBootConfig(grubCfg(LINE), (boot) => {
    const fault = 'fail-get-after-write';
    assert.is(boot.run(['--get-dom0', 'console'], { fault }).stdout, 'console=hvc0\n');
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault }).status, 0);
    assert.is(boot.run(['--get-dom0', 'iommu'], { fault }).status, 3);
    assert.is(boot.run(['--get-dom0', 'iommu'], {}).stdout, 'iommu=1\n', 'without the fault the mark is ignored');
  }),
);

test(
  'given an unknown fault, it exits 2 rather than pretend to work',
  withBootConfig(grubCfg(LINE), (boot) => {
    assert.is(boot.run(['--get-dom0', 'console'], { fault: 'sometimes' }).status, 2);
  }),
);

test.run();
