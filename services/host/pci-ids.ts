import { readFileSync } from 'node:fs';

/** Names from the pci.ids database; every id is lower-case hex. */
export interface PciIds {
  /** The file the names were read from; null when none could be read. */
  readonly source: string | null;
  vendorName(vendorId: string): string | null;
  deviceName(vendorId: string, deviceId: string): string | null;
  /** The name of a subsystem of a device: its vendor's and device's ids, then the subsystem's. */
  subsystemName(
    vendorId: string,
    deviceId: string,
    subsystemVendorId: string,
    subsystemDeviceId: string,
  ): string | null;
  /** The name of a six-hex-digit class code: its subclass's (as lspci and XAPI show it), else its base class's. */
  className(classId: string): string | null;
}

/** Where XCP-ng (hwdata) and Debian (pci.ids) install the database. */
export const PCI_IDS_PATHS = ['/usr/share/hwdata/pci.ids', '/usr/share/misc/pci.ids'] as const;

/** Reads the first pci.ids found; none at all gives a database that knows no names. */
export function loadPciIds(paths: readonly string[] = PCI_IDS_PATHS): PciIds {
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // Names are cosmetic: an absent or unreadable file must not stop the service.
      continue;
    }
    return parsePciIds(text, path);
  }
  return parsePciIds('', null);
}

const VENDOR = /^([0-9a-f]{4}) {2}(.+)$/;
const DEVICE = /^\t([0-9a-f]{4}) {2}(.+)$/;
const SUBSYSTEM = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4}) {2}(.+)$/;
const CLASS = /^C ([0-9a-f]{2}) {2}(.+)$/;
const SUBCLASS = /^\t([0-9a-f]{2}) {2}(.+)$/;

function parsePciIds(text: string, source: string | null): PciIds {
  const vendors = new Map<string, string>();
  // Devices keyed `vvvv:dddd`, subsystems `vvvv:dddd:ssss:ssss`, classes by their 2 or 4 leading hex digits.
  const devices = new Map<string, string>();
  const subsystems = new Map<string, string>();
  const classes = new Map<string, string>();
  let section: 'vendor' | 'class' | 'other' = 'other';
  let vendor = '';
  let device = '';
  let baseClass = '';

  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    let match: RegExpExecArray | null;
    if ((match = VENDOR.exec(line))) {
      section = 'vendor';
      vendor = match[1]!;
      device = '';
      vendors.set(vendor, match[2]!);
    } else if ((match = CLASS.exec(line))) {
      section = 'class';
      baseClass = match[1]!;
      classes.set(baseClass, match[2]!);
    } else if (!line.startsWith('\t')) {
      // A section this reader does not know: its indented lines are not ours.
      section = 'other';
    } else if (section === 'vendor' && (match = DEVICE.exec(line))) {
      device = `${vendor}:${match[1]}`;
      devices.set(device, match[2]!);
    } else if (section === 'vendor' && device !== '' && (match = SUBSYSTEM.exec(line))) {
      subsystems.set(`${device}:${match[1]}:${match[2]}`, match[3]!);
    } else if (section === 'class' && (match = SUBCLASS.exec(line))) {
      // Programming interfaces (two tabs) are passed over: a class is named by its subclass, as lspci and XAPI name it.
      classes.set(`${baseClass}${match[1]}`, match[2]!);
    }
  }

  return {
    source,
    vendorName: (vendorId) => vendors.get(vendorId.toLowerCase()) ?? null,
    deviceName: (vendorId, deviceId) => devices.get(`${vendorId}:${deviceId}`.toLowerCase()) ?? null,
    subsystemName: (vendorId, deviceId, subVendorId, subDeviceId) =>
      subsystems.get(`${vendorId}:${deviceId}:${subVendorId}:${subDeviceId}`.toLowerCase()) ?? null,
    className: (classId) => {
      const id = classId.toLowerCase();
      if (!/^[0-9a-f]{6}$/.test(id)) return null;
      return classes.get(id.slice(0, 4)) ?? classes.get(id.slice(0, 2)) ?? null;
    },
  };
}
