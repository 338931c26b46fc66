import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('simulated xen-cmdline');

const SCRIPT = fileURLToPath(new URL('../../services/host/simulated/xen-cmdline.js', import.meta.url));
const LINE = 'root=LABEL=root-x ro console=hvc0 foo="a b" xen-pciback.hide=(0000:03:00.0) quiet\n';

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface BootConfig {
  readonly file: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs the stand-in under node, or with `direct` as an executable through its shebang. */
  run(args: string[], options?: { fault?: string; direct?: boolean; timeout?: number }): Outcome;
  content(): string;
}

function withBootConfig(initial: string | null, check: (boot: BootConfig) => void): () => void {
  return () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passthru-'));
    try {
      const file = path.join(dir, 'next-boot-cmdline');
      if (initial !== null) fs.writeFileSync(file, initial);
      const env: NodeJS.ProcessEnv = {
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
        PASSTHRU_SIMULATED_BOOT_CMDLINE: file,
      };
      check({
        file,
        env,
        run: (args, { fault, direct = false, timeout } = {}) =>
          run(
            direct ? SCRIPT : process.execPath,
            direct ? args : [SCRIPT, ...args],
            { ...env, ...(fault ? { PASSTHRU_SIMULATED_FAULT: fault } : {}) },
            timeout,
          ),
        content: () => fs.readFileSync(file, 'utf8'),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
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
  'given no hide key on the command line, get prints just a newline',
  withBootConfig('root=LABEL=root-x ro quiet\n', (boot) => {
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide', 'pciback.hide']), { status: 0, stdout: '\n', stderr: '' });
  }),
);

test(
  'given the hide key, get prints its token',
  withBootConfig(LINE, (boot) => {
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide']), {
      status: 0,
      stdout: 'xen-pciback.hide=(0000:03:00.0)\n',
      stderr: '',
    });
  }),
);

test(
  'given two keys present, get prints both in command-line order, bare keys as just the key',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--get-dom0', 'quiet', 'console', 'absent']).stdout, 'console=hvc0 quiet\n');
  }),
);

test(
  'given a quoted value, get prints the token verbatim',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--get-dom0', 'foo']).stdout, 'foo="a b"\n');
  }),
);

test(
  'given a key set twice, get prints both occurrences',
  withBootConfig('pciback.hide=(0000:01:00.0) ro pciback.hide=(0000:02:00.0)\n', (boot) => {
    assert.is(
      boot.run(['--get-dom0', 'pciback.hide']).stdout,
      'pciback.hide=(0000:01:00.0) pciback.hide=(0000:02:00.0)\n',
    );
  }),
);

test(
  'when an existing key is set, its token is replaced in place and everything else is kept',
  withBootConfig(LINE, (boot) => {
    const outcome = boot.run(['--set-dom0', 'xen-pciback.hide=(0000:03:00.0)(0000:04:00.1)']);
    assert.equal(outcome, { status: 0, stdout: '', stderr: '' });
    assert.is(
      boot.content(),
      'root=LABEL=root-x ro console=hvc0 foo="a b" xen-pciback.hide=(0000:03:00.0)(0000:04:00.1) quiet\n',
    );
  }),
);

test(
  'when a key present several times is set, one token takes the place of the first',
  withBootConfig('a=1 ro a=2 quiet a=3\n', (boot) => {
    boot.run(['--set-dom0', 'a=9']);
    assert.is(boot.content(), 'a=9 ro quiet\n');
  }),
);

test(
  'when an absent key is set, its token is appended',
  withBootConfig('root=LABEL=root-x ro\n', (boot) => {
    boot.run(['--set-dom0', 'xen-pciback.hide=(0000:03:00.0)', 'iommu=1']);
    assert.is(boot.content(), 'root=LABEL=root-x ro xen-pciback.hide=(0000:03:00.0) iommu=1\n');
  }),
);

test(
  'when a key is set and the file does not exist, the file holds just the new tokens',
  withBootConfig(null, (boot) => {
    assert.is(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:03:00.0)']).status, 0);
    assert.is(boot.content(), 'xen-pciback.hide=(0000:03:00.0)\n');
    assert.equal(fs.readdirSync(path.dirname(boot.file)), ['next-boot-cmdline']);
  }),
);

test(
  'when values with whitespace are set, they stay one quoted token and read back as set',
  withBootConfig('ro\n', (boot) => {
    boot.run(['--set-dom0', 'bar=x y', 'baz="p q"']);
    assert.is(boot.content(), 'ro bar="x y" baz="p q"\n');
    assert.is(boot.run(['--get-dom0', 'bar', 'baz']).stdout, 'bar="x y" baz="p q"\n');
  }),
);

test(
  'when a key is deleted, all its tokens go and quoted tokens elsewhere survive',
  withBootConfig('pciback.hide=(0000:01:00.0) foo="a b" quiet pciback.hide=(0000:02:00.0)\n', (boot) => {
    assert.equal(boot.run(['--delete-dom0', 'pciback.hide', 'quiet']), { status: 0, stdout: '', stderr: '' });
    assert.is(boot.content(), 'foo="a b"\n');
    assert.is(boot.run(['--get-dom0', 'pciback.hide']).stdout, '\n');
  }),
);

test(
  'when run directly as an executable, it behaves the same',
  withBootConfig(LINE, (boot) => {
    assert.ok((fs.statSync(SCRIPT).mode & 0o111) !== 0, 'the script is executable');
    assert.equal(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { direct: true }), {
      status: 0,
      stdout: '',
      stderr: '',
    });
    assert.is(
      boot.run(['--get-dom0', 'xen-pciback.hide'], { direct: true }).stdout,
      'xen-pciback.hide=(0000:05:00.0)\n',
    );
  }),
);

for (const args of [
  [],
  ['--get-dom0'],
  ['--set-dom0', 'novalue'],
  ['--set-dom0', '=x'],
  ['--delete-dom0', 'a=b'],
  ['--frobnicate', 'x'],
  ['--set-dom0', 'a=x\ny'],
]) {
  test(
    `when called as ${JSON.stringify(args)}, it exits 1 with a message and changes nothing`,
    withBootConfig(LINE, (boot) => {
      const outcome = boot.run(args);
      assert.is(outcome.status, 1);
      assert.is(outcome.stdout, '');
      assert.match(outcome.stderr, /^xen-cmdline: /);
      assert.is(boot.content(), LINE);
    }),
  );
}

test(
  'given no PASSTHRU_SIMULATED_BOOT_CMDLINE, it exits 2 with a message naming the variable',
  withBootConfig(LINE, (boot) => {
    const outcome = run(process.execPath, [SCRIPT, '--get-dom0', 'xen-pciback.hide'], { PATH: boot.env.PATH });
    assert.is(outcome.status, 2);
    assert.is(outcome.stdout, '');
    assert.match(outcome.stderr, 'PASSTHRU_SIMULATED_BOOT_CMDLINE');
  }),
);

test(
  'given the fault "exit", get, set and delete exit 3 and change nothing',
  withBootConfig(LINE, (boot) => {
    const expected = { status: 3, stdout: '', stderr: 'xen-cmdline: simulated failure\n' };
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'exit' }), expected);
    assert.equal(boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { fault: 'exit' }), expected);
    assert.equal(boot.run(['--delete-dom0', 'xen-pciback.hide'], { fault: 'exit' }), expected);
    assert.is(boot.content(), LINE);
  }),
);

test(
  'given the fault "hang", it never answers and changes nothing',
  withBootConfig(LINE, (boot) => {
    assert.is(
      // Far above the stand-in's start (under 0.2 s): a run that ends by itself ends well before.
      boot.run(['--set-dom0', 'xen-pciback.hide=(0000:05:00.0)'], { fault: 'hang', timeout: 3000 }).stderr,
      'timed out',
    );
    assert.is(boot.content(), LINE);
  }),
);

test(
  'given the fault "garbage", it prints garbage, exits 0 and changes nothing',
  withBootConfig(LINE, (boot) => {
    const garbage = { status: 0, stdout: '\x00\x01not a command line ((((', stderr: '' };
    assert.equal(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'garbage' }), garbage);
    assert.equal(boot.run(['--delete-dom0', 'xen-pciback.hide'], { fault: 'garbage' }), garbage);
    assert.is(boot.content(), LINE);
  }),
);

test(
  'given the fault "fail-get", get exits 3 while set and delete work',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--get-dom0', 'xen-pciback.hide'], { fault: 'fail-get' }).status, 3);
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-get' }).status, 0);
    assert.is(boot.run(['--delete-dom0', 'quiet'], { fault: 'fail-get' }).status, 0);
    assert.is(boot.content(), 'root=LABEL=root-x ro console=hvc0 foo="a b" xen-pciback.hide=(0000:03:00.0) iommu=1\n');
  }),
);

test(
  'given the fault "fail-set", set and delete exit 3 and change nothing while get works',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-set' }).status, 3);
    assert.is(boot.run(['--delete-dom0', 'quiet'], { fault: 'fail-set' }).status, 3);
    assert.equal(boot.run(['--get-dom0', 'console'], { fault: 'fail-set' }), {
      status: 0,
      stdout: 'console=hvc0\n',
      stderr: '',
    });
    assert.is(boot.content(), LINE);
  }),
);

test(
  'given the fault "fail-delete", only delete exits 3 and changes nothing',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--delete-dom0', 'console'], { fault: 'fail-delete' }).status, 3);
    assert.is(boot.content(), LINE);
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault: 'fail-delete' }).status, 0);
    assert.is(boot.run(['--get-dom0', 'iommu'], { fault: 'fail-delete' }).stdout, 'iommu=1\n');
  }),
);

test(
  'given the fault "fail-get-after-write", get works until a write has happened, then exits 3',
  withBootConfig(LINE, (boot) => {
    const fault = 'fail-get-after-write';
    assert.is(boot.run(['--get-dom0', 'console'], { fault }).stdout, 'console=hvc0\n');
    assert.is(boot.run(['--set-dom0', 'iommu=1'], { fault }).status, 0);
    assert.is(boot.run(['--get-dom0', 'iommu'], { fault }).status, 3);
    assert.is(boot.run(['--get-dom0', 'iommu'], {}).stdout, 'iommu=1\n', 'without the fault the mark is ignored');
  }),
);

test(
  'given an unknown fault, it exits 2 rather than pretend to work',
  withBootConfig(LINE, (boot) => {
    assert.is(boot.run(['--get-dom0', 'console'], { fault: 'sometimes' }).status, 2);
  }),
);

test.run();
