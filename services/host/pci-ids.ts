import { readFileSync } from 'node:fs';

/** Names from the pci.ids database; every id is lower-case hex. */
export interface PciIds {
  vendorName(vendorId: string): string | null;
  deviceName(vendorId: string, deviceId: string): string | null;
  /** The most specific name of a six-hex-digit class code: prog-if, else subclass, else base class. */
  className(classId: string): string | null;
}

const DEFAULT_PATHS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids'];

/** Reads the first pci.ids found; none at all gives a database that knows no names. */
export function loadPciIds(paths: readonly string[] = DEFAULT_PATHS): PciIds {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // Names are cosmetic: an absent or unreadable file must not stop the service.
      continue;
    }
    return parsePciIds(text);
  }
  return parsePciIds('');
}

const VENDOR = /^([0-9a-f]{4}) {2}(.+)$/;
const DEVICE = /^\t([0-9a-f]{4}) {2}(.+)$/;
const CLASS = /^C ([0-9a-f]{2}) {2}(.+)$/;
const SUBCLASS = /^\t([0-9a-f]{2}) {2}(.+)$/;
const PROG_IF = /^\t\t([0-9a-f]{2}) {2}(.+)$/;

function parsePciIds(text: string): PciIds {
  const vendors = new Map<string, string>();
  // Devices keyed `vvvv:dddd`, classes by their 2, 4 or 6 leading hex digits.
  const devices = new Map<string, string>();
  const classes = new Map<string, string>();
  let section: 'vendor' | 'class' | 'other' = 'other';
  let vendor = '';
  let baseClass = '';
  let subclass = '';

  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    let match: RegExpExecArray | null;
    if ((match = VENDOR.exec(line))) {
      section = 'vendor';
      vendor = match[1]!;
      vendors.set(vendor, match[2]!);
    } else if ((match = CLASS.exec(line))) {
      section = 'class';
      baseClass = match[1]!;
      subclass = '';
      classes.set(baseClass, match[2]!);
    } else if (!line.startsWith('\t')) {
      // A section this reader does not know: its indented lines are not ours.
      section = 'other';
    } else if (section === 'vendor' && (match = DEVICE.exec(line))) {
      devices.set(`${vendor}:${match[1]}`, match[2]!);
    } else if (section === 'class' && (match = SUBCLASS.exec(line))) {
      subclass = `${baseClass}${match[1]}`;
      classes.set(subclass, match[2]!);
    } else if (section === 'class' && subclass !== '' && (match = PROG_IF.exec(line))) {
      classes.set(`${subclass}${match[1]}`, match[2]!);
    }
  }

  return {
    vendorName: (vendorId) => vendors.get(vendorId.toLowerCase()) ?? null,
    deviceName: (vendorId, deviceId) => devices.get(`${vendorId}:${deviceId}`.toLowerCase()) ?? null,
    className: (classId) => {
      const id = classId.toLowerCase();
      if (!/^[0-9a-f]{6}$/.test(id)) return null;
      return classes.get(id) ?? classes.get(id.slice(0, 4)) ?? classes.get(id.slice(0, 2)) ?? null;
    },
  };
}
