#!/usr/bin/env node
// Stands in for XenServer's /opt/xensource/libexec/xen-cmdline on a simulated
// host: the dom0 command line of the next boot is one line in the file named by
// PASSTHRU_SIMULATED_BOOT_CMDLINE. PASSTHRU_SIMULATED_FAULT (exit, hang, garbage, fail-get,
// fail-set, fail-delete, fail-get-after-write) makes it misbehave
// the ways the real one can, so the service's failure handling can be tested.
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

const USAGE = 'usage: xen-cmdline --get-dom0 KEY... | --set-dom0 KEY=VALUE... | --delete-dom0 KEY...';
const FAULTS = ['', 'exit', 'hang', 'garbage', 'fail-get', 'fail-set', 'fail-delete', 'fail-get-after-write'];

function fail(code, message) {
  process.stderr.write(`xen-cmdline: ${message}\n`);
  process.exit(code);
}

/** Whitespace separates tokens except inside double quotes; tokens stay verbatim. */
function tokenise(line) {
  return line.match(/(?:[^\s"]|"[^"]*(?:"|$))+/g) ?? [];
}

function keyOf(token) {
  const equals = token.indexOf('=');
  return (equals < 0 ? token : token.slice(0, equals)).replace(/"/g, '');
}

function readTokens(file) {
  try {
    return tokenise(readFileSync(file, 'utf8').trim());
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    fail(2, `cannot read ${file}: ${error.code ?? error.message}`);
  }
}

function writeTokens(file, tokens) {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o644);
    try {
      writeSync(fd, `${tokens.join(' ')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    fail(2, `cannot write ${file}: ${error.code ?? error.message}`);
  }
}

/** A value with whitespace is quoted so it stays one token of the line. */
function asToken(argument) {
  const equals = argument.indexOf('=');
  const value = argument.slice(equals + 1);
  const token = /\s/.test(value) && !value.includes('"') ? `${argument.slice(0, equals)}="${value}"` : argument;
  const [only, ...more] = tokenise(token);
  if (only !== token || more.length > 0) fail(1, `"${argument}" cannot be written as one command line parameter`);
  return token;
}

const file = process.env.PASSTHRU_SIMULATED_BOOT_CMDLINE;
if (!file) fail(2, 'PASSTHRU_SIMULATED_BOOT_CMDLINE is not set: it names the file holding the next boot command line');
const fault = process.env.PASSTHRU_SIMULATED_FAULT ?? '';
if (!FAULTS.includes(fault))
  fail(2, `unknown PASSTHRU_SIMULATED_FAULT "${fault}": expected one of ${FAULTS.slice(1).join(', ')}`);

const [command, ...args] = process.argv.slice(2);
if (!['--get-dom0', '--set-dom0', '--delete-dom0'].includes(command ?? '')) fail(1, USAGE);
if (args.length === 0) fail(1, `${command} needs at least one argument\n${USAGE}`);
// The file holds one line, so no argument may carry a line break or other control character.
if (args.some((a) => /[\x00-\x1f\x7f]/.test(a))) fail(1, 'arguments must not contain control characters');
if (command === '--set-dom0' && args.some((a) => a.indexOf('=') < 1)) fail(1, `--set-dom0 takes KEY=VALUE\n${USAGE}`);
if (command !== '--set-dom0' && args.some((a) => a.includes('=') || /\s/.test(a)))
  fail(1, `${command} takes keys only\n${USAGE}`);

const writing = command !== '--get-dom0';
// fail-get-after-write: writes work and leave a mark; reads fail once a write has happened.
const written = `${file}.written`;
const failsNow =
  fault === 'exit' ||
  fault === (writing ? 'fail-set' : 'fail-get') ||
  (fault === 'fail-delete' && command === '--delete-dom0') ||
  (fault === 'fail-get-after-write' && !writing && existsSync(written));
if (failsNow) fail(3, 'simulated failure');
if (fault === 'fail-get-after-write' && writing) writeFileSync(written, '');
if (fault === 'hang') setInterval(() => {}, 1 << 30);
else if (fault === 'garbage') process.stdout.write('\x00\x01not a command line ((((');
else if (command === '--get-dom0') {
  const keys = new Set(args);
  process.stdout.write(
    `${readTokens(file)
      .filter((t) => keys.has(keyOf(t)))
      .join(' ')}\n`,
  );
} else if (command === '--delete-dom0') {
  const keys = new Set(args);
  const tokens = readTokens(file);
  const kept = tokens.filter((t) => !keys.has(keyOf(t)));
  if (kept.length !== tokens.length) writeTokens(file, kept);
} else {
  let tokens = readTokens(file);
  for (const token of args.map(asToken)) {
    const key = keyOf(token);
    const first = tokens.findIndex((t) => keyOf(t) === key);
    if (first < 0) tokens.push(token);
    else tokens = tokens.flatMap((t, i) => (i === first ? [token] : keyOf(t) === key ? [] : [t]));
  }
  writeTokens(file, tokens);
}
