// services/settings/: every setting, from the environment and the command line, read
// and checked once. May import domain/, host/ and store/ (for their types and
// defaults); every other folder may import it.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { invalidInput } from '../../domain/errors.ts';
import type { HostMode, HostPaths } from '../host/host.ts';
import { PCI_IDS_PATHS } from '../host/pci-ids.ts';
import { simulatedHostFiles } from '../host/simulated-host.ts';
import { XEN_BOOT_CONFIGS } from '../host/boot-config.ts';
import { KURRENTDB_CONNECTION_STRING } from '../store/kurrentdb/connection-string.ts';

export interface Config {
  readonly port: number;
  readonly bind: string;
  readonly dataDir: string;
  readonly store: string;
  readonly hostMode: HostMode;
  /** True when the mode was chosen by `auto` rather than asked for. */
  readonly hostModeGuessed: boolean;
  readonly hostPaths: HostPaths;
  /** The machine's sysfs a whole simulated host copies its PCI devices from; null when no host is simulated whole. */
  readonly simulatedMachine: string | null;
  /** The boot configuration files looked for when PASSTHRU_BOOT_CONFIG is not set (else empty). */
  readonly bootConfigSearched: readonly string[];
  readonly token: string | null;
  readonly hostId: string;
  readonly xenCmdlineTimeoutMs: number;
  readonly logLevel: string;
  /** A certificate and key to serve HTTPS with; both or neither. */
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  /** The CA (or the self-signed certificate) clients trust besides the system's. */
  readonly tlsCa: string | null;
  /** Plain HTTP even when bound beyond loopback. */
  readonly insecureHttp: boolean;
  /** Null: pretty when standard output is a terminal, else JSON. */
  readonly logFormat: LogFormat | null;
  /** The pci.ids candidates, the first readable one is used. */
  readonly pciIds: readonly string[];
  /** Where the running service says where it runs (data dir, URL, host id), for the CLI to find it. */
  readonly runtimeDir: string;
  /** How long a client may take to send a whole request, headers and body: a slow one is cut off with a 408. */
  readonly requestTimeoutMs: number;
  /** Connections served at once; one more is closed as it opens, keeping file descriptors for the store and the host. */
  readonly maxConnections: number;
}

export type LogFormat = 'pretty' | 'json';

/** Every setting: the environment variable, its CLI flag, and its default. */
export const SETTINGS = {
  port: { env: 'PASSTHRU_PORT', flag: 'port' },
  bind: { env: 'PASSTHRU_BIND', flag: 'bind' },
  dataDir: { env: 'PASSTHRU_DATA_DIR', flag: 'data-dir' },
  store: { env: 'PASSTHRU_STORE', flag: 'store' },
  hostMode: { env: 'PASSTHRU_HOST_MODE', flag: 'host-mode' },
  xenCmdline: { env: 'PASSTHRU_XEN_CMDLINE', flag: 'xen-cmdline' },
  procCmdline: { env: 'PASSTHRU_PROC_CMDLINE', flag: 'proc-cmdline' },
  sysfs: { env: 'PASSTHRU_SYSFS', flag: 'sysfs' },
  sysfsPci: { env: 'PASSTHRU_SYSFS_PCI', flag: 'sysfs-pci' },
  mountinfo: { env: 'PASSTHRU_MOUNTINFO', flag: 'mountinfo' },
  xensourceInventory: { env: 'PASSTHRU_XENSOURCE_INVENTORY', flag: 'xensource-inventory' },
  netRoute: { env: 'PASSTHRU_NET_ROUTE', flag: 'net-route' },
  bootId: { env: 'PASSTHRU_BOOT_ID', flag: 'boot-id' },
  bootConfig: { env: 'PASSTHRU_BOOT_CONFIG', flag: 'boot-config' },
  xl: { env: 'PASSTHRU_XL', flag: 'xl' },
  xenstore: { env: 'PASSTHRU_XENSTORE', flag: 'xenstore' },
  sysfsWriter: { env: 'PASSTHRU_SYSFS_WRITER', flag: 'sysfs-writer' },
  ovsVsctl: { env: 'PASSTHRU_OVS_VSCTL', flag: 'ovs-vsctl' },
  pvs: { env: 'PASSTHRU_PVS', flag: 'pvs' },
  token: { env: 'PASSTHRU_TOKEN', flag: 'token' },
  hostId: { env: 'PASSTHRU_HOST_ID', flag: 'host-id' },
  timeout: { env: 'PASSTHRU_XEN_CMDLINE_TIMEOUT_MS', flag: 'xen-cmdline-timeout-ms' },
  logLevel: { env: 'PASSTHRU_LOG_LEVEL', flag: 'log-level' },
  tlsCert: { env: 'PASSTHRU_TLS_CERT', flag: 'tls-cert' },
  tlsKey: { env: 'PASSTHRU_TLS_KEY', flag: 'tls-key' },
  tlsCa: { env: 'PASSTHRU_TLS_CA', flag: 'tls-ca' },
  insecureHttp: { env: 'PASSTHRU_INSECURE_HTTP', flag: 'insecure-http', boolean: true },
  logFormat: { env: 'PASSTHRU_LOG_FORMAT', flag: 'log-format' },
  pciIds: { env: 'PASSTHRU_PCI_IDS', flag: 'pci-ids' },
  runtimeDir: { env: 'PASSTHRU_RUNTIME_DIR', flag: 'runtime-dir' },
  requestTimeout: { env: 'PASSTHRU_REQUEST_TIMEOUT_MS', flag: 'request-timeout-ms' },
  maxConnections: { env: 'PASSTHRU_MAX_CONNECTIONS', flag: 'max-connections' },
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Flags = Partial<Record<string, string | string[] | boolean | undefined>>;

const XEN_CMDLINE = '/opt/xensource/libexec/xen-cmdline';
const XL = '/usr/sbin/xl';
// The multi-call client of Xen's tools (xenstore ls, xenstore read), as XCP-ng installs it.
const XENSTORE = '/usr/bin/xenstore';
const OVS_VSCTL = '/usr/bin/ovs-vsctl';
// lvm2 on the CentOS-based dom0 (/sbin is a link to /usr/sbin).
const PVS = '/usr/sbin/pvs';
const HOST_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A setting as asked for, by its flag first, else its environment variable; undefined when not asked for. */
export function askedSetting(env: NodeJS.ProcessEnv, flags: Flags, name: SettingName): string | undefined {
  const flag = flags[SETTINGS[name].flag];
  if (flag === true) return '1';
  const value = typeof flag === 'string' ? flag : env[SETTINGS[name].env];
  return value === '' ? undefined : value;
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: Flags = {}): Config {
  const get = (name: SettingName) => askedSetting(env, flags, name);
  const dataDir = resolve(get('dataDir') ?? './var');
  const xenCmdline = get('xenCmdline') ?? XEN_CMDLINE;
  const askedMode = get('hostMode') ?? 'auto';
  if (!['xen', 'simulated', 'auto'].includes(askedMode)) {
    throw invalidInput(`${SETTINGS.hostMode.env} must be xen, simulated or auto, not "${askedMode}"`);
  }
  const hostMode: HostMode =
    askedMode === 'auto' ? (existsSync(xenCmdline) ? 'xen' : 'simulated') : (askedMode as HostMode);
  const simulated = simulatedHostFiles(dataDir);
  const sysfs = resolve(get('sysfs') ?? '/sys');
  const xensourceInventory = get('xensourceInventory') ?? '/etc/xensource-inventory';
  // A simulated host whose PCI bus no setting names is a whole one: its own sysfs, a mirror of the machine's PCI
  // devices that the twin's xl, xenstore and kernel act on (prepareSimulatedHost), so nothing it does reaches the
  // machine's devices. A bus named explicitly is read as it is, with no twin unless its programs are named too.
  const wholeSimulation = hostMode === 'simulated' && get('sysfsPci') === undefined;
  // Read from the live host in both modes: what dom0 needs is the machine's own, simulated or not; a whole simulated
  // host lists the machine's devices at their own addresses, so the machine's disks and NICs resolve to them.
  const safetyPaths = {
    sysfs,
    sysfsPci: get('sysfsPci') ?? (wholeSimulation ? simulated.sysfsPci : join(sysfs, 'bus', 'pci', 'devices')),
    mountinfo: get('mountinfo') ?? '/proc/self/mountinfo',
    xensourceInventory,
    netRoute: get('netRoute') ?? '/proc/net/route',
    // Only a twin of the kernel needs one: a real host's sysfs acts on its own writes.
    sysfsWriter: twinProgram(get('sysfsWriter'), wholeSimulation ? simulated.sysfsWriter : null),
  };
  const hostPaths: HostPaths =
    hostMode === 'simulated'
      ? {
          ...safetyPaths,
          xenCmdline: get('xenCmdline') ?? simulated.xenCmdline,
          procCmdline: get('procCmdline') ?? simulated.procCmdline,
          bootId: get('bootId') ?? simulated.bootId,
          bootConfig: pathList(get('bootConfig')) ?? [simulated.bootConfig],
          // A whole simulated host has the twin's toolstack; one over a named bus has none unless a stand-in is named.
          xl: twinProgram(get('xl'), wholeSimulation ? simulated.xl : null),
          xenstore: twinProgram(get('xenstore'), wholeSimulation ? simulated.xenstore : null),
          // No switch or volume manager to ask unless a stand-in is named.

          ovsVsctl: get('ovsVsctl') ?? null,
          pvs: get('pvs') ?? null,
        }
      : {
          ...safetyPaths,
          xenCmdline,
          procCmdline: get('procCmdline') ?? '/proc/cmdline',
          bootId: get('bootId') ?? '/proc/sys/kernel/random/boot_id',
          // Only the one xen-cmdline edits: the first that exists, as xcp.bootloader picks it.
          bootConfig: pathList(get('bootConfig')) ?? XEN_BOOT_CONFIGS.filter((path) => existsSync(path)).slice(0, 1),
          xl: get('xl') ?? XL,
          xenstore: get('xenstore') ?? XENSTORE,
          ovsVsctl: get('ovsVsctl') ?? OVS_VSCTL,
          pvs: get('pvs') ?? PVS,
        };
  return {
    port: integer(get('port') ?? '8080', SETTINGS.port.env, 0, 65535),
    bind: get('bind') ?? '127.0.0.1',
    dataDir,
    store: storeSetting(get('store'), dataDir),
    hostMode,
    hostModeGuessed: askedMode === 'auto',
    hostPaths,
    simulatedMachine: wholeSimulation ? sysfs : null,
    bootConfigSearched: get('bootConfig') !== undefined ? [] : hostMode === 'xen' ? XEN_BOOT_CONFIGS : [],
    token: get('token') ?? null,
    hostId: hostIdSetting(get('hostId'), xensourceInventory),
    xenCmdlineTimeoutMs: integer(get('timeout') ?? '10000', SETTINGS.timeout.env, 1, 600_000),
    logLevel: get('logLevel') ?? 'info',
    ...tlsSettings(get('tlsCert'), get('tlsKey'), get('tlsCa')),
    insecureHttp: flagSetting(get('insecureHttp'), SETTINGS.insecureHttp.env),
    logFormat: logFormatSetting(get('logFormat')),
    pciIds: pciIdsSetting(get('pciIds')),
    runtimeDir: resolve(get('runtimeDir') ?? defaultRuntimeDir(env)),
    requestTimeoutMs: integer(get('requestTimeout') ?? '30000', SETTINGS.requestTimeout.env, 1, 600_000),
    maxConnections: integer(get('maxConnections') ?? '2048', SETTINGS.maxConnections.env, 1, 1_000_000),
  };
}

/** Turns a program of the twin off: a simulated host then has none to ask, as a host without the toolstack. */
export const NO_PROGRAM = 'none';

/** A program of a simulated host: the one asked for, none for `none`, else the twin's (null when it has none). */
function twinProgram(asked: string | undefined, twin: string | null): string | null {
  if (asked === NO_PROGRAM) return null;
  return asked ?? twin;
}

/** root's on a dom0 is /run/passthru; anyone else's is in their own runtime dir, else a tmp dir of their own. */
function defaultRuntimeDir(env: NodeJS.ProcessEnv): string {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/passthru';
  return env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'passthru') : join(tmpdir(), `passthru-${uid}`);
}

function tlsSettings(cert: string | undefined, key: string | undefined, ca: string | undefined) {
  if ((cert === undefined) !== (key === undefined)) {
    throw invalidInput(`${SETTINGS.tlsCert.env} and ${SETTINGS.tlsKey.env} go together: set both, or neither`);
  }
  const path = (text: string | undefined) => (text === undefined ? null : resolve(text));
  return { tlsCert: path(cert), tlsKey: path(key), tlsCa: path(ca) };
}

function flagSetting(text: string | undefined, name: string): boolean {
  if (text === undefined || text === '0') return false;
  if (text === '1') return true;
  throw invalidInput(`${name} must be 1 or 0, not "${text}"`);
}

/** `none` asks for no caching: every read runs xen-cmdline. */
function pathList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text === 'none'
    ? []
    : text
        .split(':')
        .filter(Boolean)
        .map((path) => resolve(path));
}

function logFormatSetting(text: string | undefined): LogFormat | null {
  if (text === undefined) return null;
  if (text !== 'pretty' && text !== 'json') {
    throw invalidInput(`${SETTINGS.logFormat.env} must be pretty or json, not "${text}"`);
  }
  return text;
}

/** A path asked for is the only candidate: a typo must not quietly fall back to another file. */
function pciIdsSetting(text: string | undefined): readonly string[] {
  return text === undefined ? PCI_IDS_PATHS : [resolve(text)];
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw invalidInput(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function storeSetting(text: string | undefined, dataDir: string): string {
  if (!text) return `sqlite:${join(dataDir, 'events.db')}`;
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (!path) throw invalidInput(`${SETTINGS.store.env}=sqlite: needs a path`);
    return `sqlite:${isAbsolute(path) ? path : resolve(path)}`;
  }
  if (KURRENTDB_CONNECTION_STRING.test(text)) return text;
  throw invalidInput(
    `${SETTINGS.store.env} must be sqlite:PATH or a KurrentDB connection string (kurrentdb://, kurrent://, kdb:// or esdb://, each also +discover)`,
  );
}

function hostIdSetting(asked: string | undefined, xensourceInventory: string): string {
  const id = asked ?? installationUuid(xensourceInventory) ?? machineId();
  if (!id || !HOST_ID.test(id)) {
    throw invalidInput(
      `no usable host id: set ${SETTINGS.hostId.env} (letters, digits, '.', '_', '-'; found ${JSON.stringify(id ?? null)})`,
    );
  }
  return id;
}

function installationUuid(path: string): string | undefined {
  const inventory = readIfPresent(path);
  return /^INSTALLATION_UUID='?([^'\n]+)'?$/m.exec(inventory ?? '')?.[1];
}

function machineId(): string | undefined {
  return readIfPresent('/etc/machine-id')?.trim() || undefined;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
