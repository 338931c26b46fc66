// The state an XCP-ng host keeps outside passthru, shared by the twin's
// stand-ins for xl (xl.js), the xenstore client (xenstore.js) and the kernel's
// side of sysfs writes (kernel-sysfs-write.js): xenstore's tree, what Xen has
// quarantined or given to a guest, and pciback's list of devices to seize.
// Each lives in PASSTHRU_TWIN (a directory) and lasts one boot of the simulated
// host, as they do on a real one. Node builtins only: it ships with the service.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

let dir = process.env.PASSTHRU_TWIN ?? '';

/** The twin to act on, for a caller that is not one of its programs (a test laying out a host). */
export function useTwin(path) {
  dir = path;
}

/** The twin's settings, written by whoever lays it out: `{ sysfs, procCmdline, bootId, drivers: { BDF: driver } }`. */
export function config() {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
}

const bootId = () => readFileSync(config().bootId, 'utf8').trim();

/** This boot's state, forgotten at a reboot: xenstore and Xen start empty, pciback from its boot list. */
export function load() {
  const file = join(dir, 'state.json');
  const state = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  if (state && state.boot === bootId()) return state;
  const fresh = {
    boot: bootId(),
    xenstore: {},
    domains: {},
    quarantined: [],
    assigned: {},
    newSlots: [],
    removedSlots: [],
  };
  save(fresh);
  return fresh;
}

/** Saves the state, and renders pciback's `slots` as slots_show does: its list, one `%04x:%02x:%02x.%d` a line. */
export function save(state) {
  const file = join(dir, 'state.json');
  // A temporary file of its own: two programs of the twin may save at once (the first reads of a boot do).
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
  const ids = [...bootSeized().filter((id) => !state.removedSlots.includes(id)), ...state.newSlots];
  mkdirSync(driverPath('pciback'), { recursive: true });
  const slots = join(driverPath('pciback'), 'slots');
  writeFileSync(`${slots}.${process.pid}.tmp`, ids.map((id) => `${id}\n`).join(''));
  renameSync(`${slots}.${process.pid}.tmp`, slots);
}

/** A test's fault: this program (or subcommand) prints `message` and fails, or never answers. */
export function fault(name) {
  const fail = join(dir, `fail-${name}`);
  if (existsSync(fail)) {
    process.stderr.write(readFileSync(fail, 'utf8'));
    process.exit(1);
  }
  if (existsSync(join(dir, `hang-${name}`))) setTimeout(() => {}, 600_000);
  return existsSync(join(dir, `hang-${name}`));
}

// --- xenstore: a tree of paths, each node with a value (the empty string for a directory made on the way).

export function xsWrite(state, path, value) {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const above = `/${parts.slice(0, i).join('/')}`;
    if (!(above in state.xenstore)) state.xenstore[above] = '';
  }
  state.xenstore[path] = value;
}

export function xsRemove(state, path) {
  for (const key of Object.keys(state.xenstore))
    if (key === path || key.startsWith(`${path}/`)) delete state.xenstore[key];
}

/** The names below a node, in the order they were made (xenstored keeps them so), or null when the node is missing. */
export function xsChildren(state, path) {
  if (!(path in state.xenstore) && path !== '/') return null;
  const prefix = path === '/' ? '/' : `${path}/`;
  const names = [];
  for (const key of Object.keys(state.xenstore)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length).split('/')[0];
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

// --- the kernel: sysfs links of the fake tree, and pciback's list (drivers/xen/xen-pciback/pci_stub.c, Linux 4.19).

const ADDRESS = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

/**
 * The devices `xen-pciback.hide` names on the running kernel's line, as
 * pcistub_init parses it: `(DDDD:BB:DD.F)` or `(BB:DD.F)` entries; an entry it
 * cannot parse fails the whole list ("Error parsing pci_devs_to_hide"), and
 * it seizes nothing. Wildcards and bridges are left out of the twin.
 */
export function bootSeized() {
  const line = readFileSync(config().procCmdline, 'utf8');
  const value = /(?:^|\s)xen-pciback\.hide=(\S*)/.exec(line)?.[1] ?? '';
  const ids = [];
  for (const entry of value.match(/\([^)]*\)|[^()]+/g) ?? []) {
    const match = /^\((?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])\)$/.exec(entry);
    if (!match) return [];
    const [, domain = '0', bus, slot, fn] = match;
    ids.push(`${domain.padStart(4, '0')}:${bus.padStart(2, '0')}:${slot.padStart(2, '0')}.${fn}`.toLowerCase());
  }
  return ids;
}

/** pciback's list of devices to seize (pcistub_device_ids): the boot's, plus new_slot, less remove_slot. */
export function seized(state, id) {
  if (state.newSlots.includes(id)) return true;
  return bootSeized().includes(id) && !state.removedSlots.includes(id);
}

const devicePath = (id) => join(config().sysfs, 'bus', 'pci', 'devices', id);
const driverPath = (name) => join(config().sysfs, 'bus', 'pci', 'drivers', name);

export function deviceExists(id) {
  return ADDRESS.test(id) && existsSync(devicePath(id));
}

export function driverOf(id) {
  try {
    return basename(readlinkSync(join(devicePath(id), 'driver')));
  } catch {
    return null;
  }
}

/** The driver core's links for a binding: the device's `driver`, and the driver's link back named by the device. */
function link(id, name) {
  const was = driverOf(id);
  if (was !== null) rmSync(join(driverPath(was), id), { force: true });
  rmSync(join(devicePath(id), 'driver'), { force: true });
  if (name === null) return;
  mkdirSync(driverPath(name), { recursive: true });
  symlinkSync(driverPath(name), join(devicePath(id), 'driver'));
  symlinkSync(devicePath(id), join(driverPath(name), id));
}

/** Whether a driver's probe takes the device: pciback's only what it is to seize (pcistub_probe), another by its id table. */
function probes(state, name, id) {
  return name === 'pciback' ? seized(state, id) : config().drivers?.[id] === name;
}

/** A refusal as the write(2) of a sysfs attribute returns it. */
export class KernelError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/**
 * What the kernel does when a value is written to a PCI sysfs attribute:
 * pciback's new_slot and remove_slot (pci_stub.c), a driver's bind and unbind
 * (drivers/base/bus.c bind_store, unbind_store) and the bus's drivers_probe
 * (drivers_probe_store). `file` may go through a device's `driver` link.
 */
export function kernelWrite(state, file, value) {
  const id = value.trim();
  const root = join(config().sysfs, 'bus', 'pci');
  const viaLink = new RegExp(`^${escape(root)}/devices/([^/]+)/driver/(bind|unbind)$`).exec(file);
  const target = viaLink ? { driver: driverOf(viaLink[1]), attribute: viaLink[2] } : null;
  const direct = new RegExp(`^${escape(root)}/drivers/([^/]+)/([a-z_]+)$`).exec(file);
  if (file === join(root, 'drivers_probe')) {
    // bus_rescan_devices_helper: a device with no driver is offered to each driver; EINVAL for no such device.
    if (!deviceExists(id)) throw new KernelError('EINVAL');
    if (driverOf(id) !== null) return;
    if (seized(state, id)) return link(id, 'pciback');
    const native = config().drivers?.[id];
    if (native) link(id, native);
    return;
  }
  const { driver, attribute } = target ?? (direct ? { driver: direct[1], attribute: direct[2] } : {});
  if (!driver || !attribute) throw new KernelError('ENOENT');
  if (driver === 'pciback' && attribute === 'new_slot') {
    if (!ADDRESS.test(id)) throw new KernelError('EINVAL');
    state.removedSlots = state.removedSlots.filter((d) => d !== id);
    if (!seized(state, id)) state.newSlots.push(id);
    return;
  }
  if (driver === 'pciback' && attribute === 'remove_slot') {
    // pcistub_device_id_remove: ENOENT when the list does not name it.
    if (!seized(state, id)) throw new KernelError('ENOENT');
    state.newSlots = state.newSlots.filter((d) => d !== id);
    if (bootSeized().includes(id)) state.removedSlots.push(id);
    return;
  }
  if (attribute === 'bind') {
    // bind_store: ENODEV unless the device exists, has no driver, and the driver's probe takes it.
    if (!deviceExists(id) || driverOf(id) !== null || !probes(state, driver, id)) throw new KernelError('ENODEV');
    return link(id, driver);
  }
  if (attribute === 'unbind') {
    // unbind_store: ENODEV unless that driver drives the device.
    if (!deviceExists(id) || driverOf(id) !== driver) throw new KernelError('ENODEV');
    return link(id, null);
  }
  throw new KernelError('EACCES');
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What a boot of the dom0 kernel does to the PCI devices: pcistub_init
 * (drivers/xen/xen-pciback/pci_stub.c, Linux 4.19; an fs_initcall, as
 * XCP-ng's kernel builds pciback in) takes the running line's hide list as
 * the devices to seize and registers pciback before the native drivers
 * register (device_initcall), so pcistub_probe seizes (pcistub_seize) each
 * device the list names; every other device is bound by the dom0 driver whose
 * id table matches it, or stays without one. This boot's state starts afresh
 * (see `load`), and pciback's `slots` are the boot's list.
 */
export function boot() {
  const state = load();
  const bus = join(config().sysfs, 'bus', 'pci', 'devices');
  for (const id of existsSync(bus) ? readdirSync(bus).filter((name) => ADDRESS.test(name)) : []) {
    const wanted = seized(state, id) ? 'pciback' : (config().drivers?.[id] ?? null);
    if (driverOf(id) !== wanted) link(id, wanted);
  }
  save(state);
}

/** The devices bound to pciback now, as its driver directory lists them. */
export function pcibackDevices() {
  try {
    return readdirSync(driverPath('pciback')).filter((name) => ADDRESS.test(name));
  } catch {
    return [];
  }
}
