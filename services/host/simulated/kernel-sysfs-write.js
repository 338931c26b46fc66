#!/usr/bin/env node
// The kernel's side of a write to sysfs, for a twin of an XCP-ng host whose
// sysfs is a plain directory tree no kernel acts on: passthru runs this as
// PASSTHRU_SYSFS_WRITER with the file and the value, in place of the write,
// and it fails as the write(2) would, printing the errno's name.
// Node builtins only: it ships with the service.
import { KernelError, kernelWrite, load, save } from './twin-state.js';

const [file, value] = process.argv.slice(2);
if (file === undefined || value === undefined) {
  process.stderr.write('usage: kernel-sysfs-write FILE VALUE\n');
  process.exit(2);
}
const state = load();
try {
  kernelWrite(state, file, value);
  save(state);
} catch (error) {
  if (!(error instanceof KernelError)) throw error;
  save(state);
  process.stderr.write(`write error: ${error.code}\n`);
  process.exit(1);
}
