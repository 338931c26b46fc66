#!/usr/bin/env node
// Stands in for Xen's multi-call xenstore client (tools/xs-clients/xenstore_client.c)
// over the twin's tree: `ls -f PATH`, `read PATH...`, `write PATH VALUE...`, `rm PATH...`.
// Node builtins only: it ships with the service.
import { fault, load, save, xsChildren, xsRemove, xsWrite } from './twin-state.js';

const [command, ...args] = process.argv.slice(2);

/** err(3) and warnx(3) name the program as it was run: the multi-call client is `xenstore`. */
function fail(message) {
  process.stderr.write(`xenstore: ${message}\n`);
  process.exit(1);
}

/** sanitise_value: printable ASCII but the backslash as it is; \t \n \r \\, \ooo below 010, \xhh for the rest. */
function sanitise(value) {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (byte >= 0x20 && byte <= 0x7e && c !== '\\') out += c;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\\') out += '\\\\';
    else if (byte < 0o10) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * do_ls with -f: each node below PATH as `<full path> = "<value>"`, its
 * children after it; -f also lifts the width limit, so nothing is cut. A
 * missing PATH fails with xs_directory's errno; a node gone while recursing is
 * skipped.
 */
function ls(state, path, depth, lines) {
  const names = xsChildren(state, path);
  if (names === null) {
    if (depth > 0) return;
    fail(`xs_directory (${path}): No such file or directory`);
  }
  for (const name of names) {
    const full = `${path}${path.endsWith('/') ? '' : '/'}${name}`;
    lines.push(`${full} = "${sanitise(state.xenstore[full] ?? '')}"`);
    ls(state, full, depth + 1, lines);
  }
}

if (fault('xenstore')) {
  // hangs
} else {
  const state = load();
  switch (command) {
    case 'ls': {
      const paths = args.filter((a) => a !== '-f');
      if (!args.includes('-f')) fail('the twin lists with -f only');
      const lines = [];
      for (const path of paths.length > 0 ? paths : ['/']) ls(state, path, 0, lines);
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
      break;
    }
    case 'read':
      // One value a line; the first missing path stops it (warnx "couldn't read path", exit 1).
      for (const path of args) {
        if (!(path in state.xenstore)) fail(`couldn't read path ${path}`);
        process.stdout.write(`${sanitise(state.xenstore[path])}\n`);
      }
      break;
    case 'write':
      for (let i = 0; i + 1 < args.length; i += 2) xsWrite(state, args[i], args[i + 1]);
      save(state);
      break;
    case 'rm':
      for (const path of args) xsRemove(state, path);
      save(state);
      break;
    default:
      fail(`unknown command ${command ?? ''}`);
  }
}
