#!/usr/bin/env node
// Stands in for xl on an XCP-ng host (xen 4.17 with XenServer's libxl patches),
// over the twin's state: `info`, `list`, `pci-list`, `pci-assignable-list`,
// `pci-assignable-add` and `pci-assignable-remove [-r]`. Node builtins only: it
// ships with the service. Sources are tools/xl/xl_pci.c, xl_info.c and
// tools/libs/light/libxl_pci.c of RELEASE-4.17.x, and the patches of
// github:xcp-ng-rpms/xen.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  config,
  deviceExists,
  driverOf,
  fault,
  KernelError,
  kernelWrite,
  load,
  pcibackDevices,
  save,
  seized,
  xsRemove,
  xsWrite,
} from './twin-state.js';

const [command, ...args] = process.argv.slice(2);
const twin = process.env.PASSTHRU_TWIN ?? '';

// libxl logs through xtl to standard error: "libxl: <level>: <file>:<line>:<function>: <message>".
const log = (level, line, fn, message) =>
  process.stderr.write(`libxl: ${level}: libxl_pci.c:${line}:${fn}: ${message}\n`);
const ADD = 'libxl__device_pci_assignable_add';
const REMOVE = 'libxl__device_pci_assignable_remove';
// PCI_BDF_XSPATH: where libxl keeps what it knows of a device under /libxl/pci.
const infoPath = (id) => `/libxl/pci/${id.replace(':', '-').replace(':', '-')}`;

function write(state, file, id) {
  kernelWrite(state, join(config().sysfs, 'bus', 'pci', file), id);
}

/** pciback_dev_assign: new_slot unless pciback's slots name it, then bind. */
function pcibackAssign(state, id) {
  if (!seized(state, id)) write(state, 'drivers/pciback/new_slot', id);
  write(state, 'drivers/pciback/bind', id);
}

/** libxl__device_pci_assignable_add: dom0's driver saved and unbound, pciback bound, then quarantined in Xen. */
function assignableAdd(state, id) {
  if (!deviceExists(id)) {
    log('error', 789, ADD, `Couldn't lstat ${config().sysfs}/bus/pci/devices/${id}: No such file or directory`);
    return 1;
  }
  const driver = driverOf(id);
  if (driver === 'pciback') {
    log('warning', 802, ADD, `${id} already assigned to pciback`);
  } else {
    if (driver !== null) {
      // sysfs_dev_unbind, and xl always asks to rebind later (main_pciassignable_add passes rebind = 1).
      write(state, `drivers/${driver}/unbind`, id);
      xsWrite(state, `${infoPath(id)}/driver_path`, `/sys/bus/pci/drivers/${driver}`);
    } else if (state.xenstore[`${infoPath(id)}/driver_path`] === undefined) {
      log('warning', 819, ADD, `${id} not bound to a driver, will not be rebound.`);
    }
    try {
      pcibackAssign(state, id);
    } catch (error) {
      if (!(error instanceof KernelError)) throw error;
      log('error', 830, ADD, "Couldn't bind device to pciback!");
      return 1;
    }
  }
  // xc_assign_device(DOMID_IO): Xen refuses a device a guest has.
  if (state.assigned[id] !== undefined) {
    log('error', 848, ADD, `failed to quarantine ${id}`);
    return 1;
  }
  if (!state.quarantined.includes(id)) state.quarantined.push(id);
  return 0;
}

/**
 * libxl__device_pci_assignable_remove: de-quarantine first (Xen refuses a
 * device it never quarantined: one pciback took at boot, or one a guest of
 * xenopsd had), then pciback unbound and its slot removed, then the saved
 * driver bound again with -r; none saved: a warning, no driver, exit 0.
 */
function assignableRemove(state, id, rebind) {
  if (!state.quarantined.includes(id)) {
    log('error', 906, REMOVE, `failed to de-quarantine ${id}`);
    return 1;
  }
  state.quarantined = state.quarantined.filter((d) => d !== id);
  if (driverOf(id) === 'pciback') {
    // pciback_dev_unassign: unbind, then remove_slot if pciback's slots name it.
    write(state, 'drivers/pciback/unbind', id);
    if (seized(state, id)) write(state, 'drivers/pciback/remove_slot', id);
  } else {
    log('warning', 916, REMOVE, 'Not bound to pciback');
  }
  const saved = state.xenstore[`${infoPath(id)}/driver_path`];
  if (saved !== undefined && rebind) {
    try {
      write(state, `drivers/${saved.split('/').pop()}/bind`, id);
    } catch (error) {
      if (!(error instanceof KernelError)) throw error;
      log('error', 930, REMOVE, `Couldn't bind device to ${saved}: No such device`);
      return 1;
    }
    xsRemove(state, `${infoPath(id)}/driver_path`);
  } else if (rebind) {
    log('warning', 939, REMOVE, "Couldn't find path for original driver; not rebinding");
  }
  return 0;
}

function main() {
  if (fault(command ?? '')) return;
  const state = load();
  const bdf = args.filter((a) => a !== '-r').at(-1) ?? '';
  const failing = `fail-${bdf}`;
  switch (command) {
    case 'info':
      process.stdout.write(readFileSync(join(twin, 'xl-info.txt'), 'utf8'));
      return 0;
    case 'list': {
      // list_domains (xl_info.c): a heading, then "%-40s %5d %5lu %5d     %s  %8.1f" a domain; names may hold blanks.
      let out = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';
      out += `${'Domain-0'.padEnd(40)} ${'0'.padStart(5)} ${'4096'.padStart(5)} ${'4'.padStart(5)}     r-----  ${'100.0'.padStart(8)}\n`;
      for (const [domid, domain] of Object.entries(state.domains ?? {})) {
        out += `${domain.name.padEnd(40)} ${domid.padStart(5)} ${'2048'.padStart(5)} ${'2'.padStart(5)}     -b----  ${'10.0'.padStart(8)}\n`;
      }
      process.stdout.write(out);
      return 0;
    }
    case 'pci-list': {
      // pcilist (xl_pci.c) prints "Vdev Device", then "%02x.%01x %04x:%02x:%02x.%01x" a device, or nothing at all
      // with none. XenServer's "libxl: Don't insert PCI device into xenstore for HVM guests", and xenopsd's own
      // attach, leave an HVM guest with none that libxl knows of.
      const domain = Object.entries(state.domains ?? {}).find(([id, d]) => id === args[0] || d.name === args[0])?.[1];
      const listed = domain && domain.type === 'pv' && domain.by === 'xl' ? domain.devices : [];
      if (listed.length === 0) return 0;
      process.stdout.write(
        `Vdev Device\n${listed.map((id, n) => `${(n + 4).toString(16).padStart(2, '0')}.0 ${id}\n`).join('')}`,
      );
      return 0;
    }
    case 'pci-assignable-list': {
      // libxl_device_pci_assignable_list: pciback's devices, less those of the guests libxl started;
      // pciassignable_list prints "%04x:%02x:%02x.%01x %s" with an empty name, so a blank ends each line.
      const libxlHeld = Object.values(state.domains ?? {}).flatMap((d) => (d.by === 'xl' ? d.devices : []));
      const ids = pcibackDevices().filter((id) => !libxlHeld.includes(id));
      process.stdout.write(ids.map((id) => `${id} \n`).join(''));
      return 0;
    }
    case 'pci-assignable-add':
    case 'pci-assignable-remove': {
      try {
        process.stderr.write(readFileSync(join(twin, failing), 'utf8'));
        return 1;
      } catch {
        // no fault asked for this device
      }
      const code =
        command === 'pci-assignable-add'
          ? assignableAdd(state, bdf)
          : assignableRemove(state, bdf, args.includes('-r'));
      save(state);
      return code;
    }
    default:
      process.stderr.write(`xl: unknown command ${command ?? ''}\n`);
      return 1;
  }
}

const code = main();
if (code !== undefined) process.exitCode = code;
