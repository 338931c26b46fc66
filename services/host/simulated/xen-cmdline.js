#!/usr/bin/env node
// Stands in for XCP-ng's /opt/xensource/libexec/xen-cmdline on a simulated host, doing what the real one does
// (xcp-ng/xcp-ng-release, src/common/opt/xensource/libexec/xen-cmdline, over xenserver/python-libs'
// xcp/bootloader.py), on the grub.cfg of the simulated host's root, PASSTHRU_SIMULATED_ROOT.
// PASSTHRU_SIMULATED_FAULT (exit, hang, garbage, fail-get, fail-set, fail-delete, fail-get-after-write) makes it
// misbehave the ways a program can, so the service's failure handling can be tested.
// Node builtins only: the service runs this on every read of the boot config.
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const FAULTS = ['', 'exit', 'hang', 'garbage', 'fail-get', 'fail-set', 'fail-delete', 'fail-get-after-write'];
// xcp/bootloader.py, Bootloader.loadExisting: the first of these under the root is the one read and written.
const GRUB_CONFIGS = ['boot/efi/EFI/xenserver/grub.cfg', 'boot/grub/grub.cfg', 'boot/grub2/grub.cfg'];
// xen-cmdline: `labels = ['xe', 'xe-serial']`, the only entries its writes change.
const EDITED = ['xe', 'xe-serial'];
// xcp/bootloader.py, readGrub2's create_label: the entry titled as the product (branding.PRODUCT_BRAND) is `xe`.
const BRAND = 'XCP-ng';
const OPTIONS = [
  '--set-cpuid-masks',
  '--delete-cpuid-masks',
  '--get-xen',
  '--get-dom0',
  '--set-xen',
  '--set-dom0',
  '--delete-xen',
  '--delete-dom0',
];

function fail(code, message) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const root = process.env.PASSTHRU_SIMULATED_ROOT;
if (!root)
  fail(2, 'xen-cmdline: PASSTHRU_SIMULATED_ROOT is not set: it names the simulated host whose boot/ holds grub.cfg');
const fault = process.env.PASSTHRU_SIMULATED_FAULT ?? '';
if (!FAULTS.includes(fault))
  fail(2, `xen-cmdline: unknown PASSTHRU_SIMULATED_FAULT "${fault}": expected one of ${FAULTS.slice(1).join(', ')}`);

// xen-cmdline's main loop: an option starts a group, the arguments that follow are its; an unknown option is
// skipped, and an option with no arguments does nothing.
const operations = [];
let option = null;
let args = [];
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('--') && option && args.length > 0) {
    operations.push([option, args]);
    args = [];
  }
  if (OPTIONS.includes(arg)) option = arg;
  if (!arg.startsWith('--')) args.push(arg);
}
if (option && args.length > 0) operations.push([option, args]);

const file = GRUB_CONFIGS.map((path) => join(root, path)).find((path) => existsSync(path));
// loadExisting raises RuntimeError, which python prints as a traceback, exiting 1.
if (!file) fail(1, 'Traceback (most recent call last):\nRuntimeError: No existing bootloader configuration found');

const writing = operations.some(([op]) => !op.startsWith('--get'));
// fail-get-after-write: writes work and leave a mark; reads fail once a write has happened.
const written = `${file}.written`;
const failsNow =
  fault === 'exit' ||
  fault === (writing ? 'fail-set' : 'fail-get') ||
  (fault === 'fail-delete' && operations.some(([op]) => op === '--delete-dom0')) ||
  (fault === 'fail-get-after-write' && !writing && existsSync(written));
if (failsNow) fail(3, 'xen-cmdline: simulated failure');
if (fault === 'fail-get-after-write' && writing) writeFileSync(written, '');
if (fault === 'hang') setInterval(() => {}, 1 << 30);
else if (fault === 'garbage') process.stdout.write('\x00\x01not a command line ((((');
else run();

/** xcp/bootloader.py, MenuEntry.getKernelArgs: non-blanks, one double-quoted part allowed. */
function argumentsOf(line) {
  return line.match(/\S[^ "]*(?:"[^"]*")?\S*/g) ?? [];
}

/** xen-cmdline's _match_arg: the key alone, or the key then `=`; no other spelling of it. */
function matches(key, arg) {
  return arg.startsWith(`${key}=`) || arg === key;
}

/**
 * xen-cmdline's _filter_args, to the letter: one copy of an argument per key it matches (or, when filtering out,
 * per key it does not match), so a set or delete of several keys at once duplicates the other arguments.
 */
function filterArgs(keys, args, match) {
  return args.flatMap((arg) => keys.filter((key) => matches(key, arg) === match).map(() => arg));
}

/** readGrub2, enough of it: each menu entry's title and its kernel line (the first module2), and `set default=`. */
function readGrub(lines) {
  const entries = [];
  let defaultName = '0';
  let open = null;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('set default=') && line === raw.trimEnd()) {
      defaultName = line.slice('set default='.length).replace(/^['"](.*)['"]$/, '$1');
      return;
    }
    const menu = /^menuentry ['"]([^']*)['"](.*)\{/.exec(line);
    if (menu) open = { title: menu[1], kernelLine: null };
    else if (open && /^module2\s/.test(line) && open.kernelLine === null) open.kernelLine = index;
    else if (open && line === '}') {
      entries.push(open);
      open = null;
    }
  });
  const label = ({ title }) =>
    title === BRAND ? 'xe' : title.endsWith('(Serial)') ? 'xe-serial' : title.endsWith('Safe Mode') ? 'safe' : title;
  for (const entry of entries) entry.label = label(entry);
  const byIndex = /^-?\d+$/.test(defaultName) ? entries.at(Number(defaultName)) : undefined;
  const chosen = byIndex ?? entries.find((entry) => entry.label === defaultName);
  // b.menu[b.default] on a default naming no entry raises KeyError.
  if (!chosen) fail(1, `Traceback (most recent call last):\nKeyError: '${defaultName}'`);
  return { entries, chosen };
}

function kernelParts(line) {
  const [, kernel = '', rest = ''] = /^\s*module2\s+(\S+)\s*(.*)$/.exec(line) ?? [];
  return { kernel, args: argumentsOf(rest) };
}

function run() {
  const lines = readFileSync(file, 'utf8').split('\n');
  const { entries, chosen } = readGrub(lines);
  let modified = false;
  for (const [op, keys] of operations) {
    if (op === '--get-dom0') {
      const args = chosen.kernelLine === null ? [] : kernelParts(lines[chosen.kernelLine]).args;
      // print('\n'.join(...)): one matching argument a line, in the line's order; an empty line when none.
      process.stdout.write(`${filterArgs(keys, args, true).join('\n')}\n`);
    } else if (op === '--set-dom0' || op === '--delete-dom0') {
      // replace_dom0_args: the keys are what comes before the first `=` of each argument, and the new arguments go last.
      const dropped = op === '--set-dom0' ? keys.map((arg) => arg.split('=')[0]) : keys;
      for (const entry of entries.filter((e) => EDITED.includes(e.label) && e.kernelLine !== null)) {
        const { kernel, args } = kernelParts(lines[entry.kernelLine]);
        const kept = filterArgs(dropped, args, false);
        lines[entry.kernelLine] = `\tmodule2 ${kernel} ${[...kept, ...(op === '--set-dom0' ? keys : [])].join(' ')}`;
      }
      modified = true;
    }
  }
  if (modified) commit(lines.join('\n'));
}

/** Bootloader.commit: a temporary file in the same directory, renamed over the configuration. */
function commit(text) {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    fail(1, `Traceback (most recent call last):\nOSError: ${error.code ?? error.message}: ${file}`);
  }
}
