import {
  constants,
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { forbidden } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';

/** What a listening service says about itself, for a CLI run from anywhere to find it. */
export interface RunningService {
  readonly data_dir: string;
  readonly url: string;
  readonly host_id: string;
  readonly pid: number;
  /** When the process started (clock ticks after boot, /proc/PID/stat): a pid reused by another process does not match. */
  readonly started: number | null;
  readonly port: number;
  readonly bind: string;
}

export const runtimeFile = (runtimeDir: string) => join(runtimeDir, 'service.json');

const OTHERS = 0o077;

/**
 * The runtime dir, made 0700 when missing. Anyone who could write it could
 * plant a file that sends the CLI's token elsewhere, so one that is not a
 * directory of this user's alone is refused, with how to fix it.
 */
export function privateRuntimeDir(runtimeDir: string): void {
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  checkPrivate(runtimeDir, lstatSync(runtimeDir), 'directory');
}

export function writeRuntimeFile(config: Config, service: Omit<RunningService, 'started'>): void {
  privateRuntimeDir(config.runtimeDir);
  const path = runtimeFile(config.runtimeDir);
  const temporary = `${path}.${process.pid}.tmp`;
  const text = `${JSON.stringify({ ...service, started: startTime(process.pid) }, null, 2)}\n`;
  // Made, never opened: a link or a file left at the temporary path is removed (the link, not what it names).
  let fd: number;
  try {
    fd = createExclusive(temporary);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    rmSync(temporary, { force: true });
    fd = createExclusive(temporary);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

const createExclusive = (path: string) =>
  openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);

/** Only this process's own file: a later copy (on another port) may have written its own since. */
export function removeRuntimeFile(config: Config): void {
  try {
    if (readRuntimeFile(config.runtimeDir)?.pid === process.pid)
      rmSync(runtimeFile(config.runtimeDir), { force: true });
  } catch {
    // A runtime dir made unsafe since the start is not this process's to clean.
  }
}

/**
 * The service the runtime dir names, when its process still runs: a killed
 * service leaves its file behind, and its pid may since be another process's.
 * A dir or file others could have written is refused.
 */
export function runningService(runtimeDir: string): RunningService | null {
  const service = readRuntimeFile(runtimeDir);
  return service && sameProcess(service) ? service : null;
}

function readRuntimeFile(runtimeDir: string): RunningService | null {
  try {
    checkPrivate(runtimeDir, lstatSync(runtimeDir), 'directory');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const path = runtimeFile(runtimeDir);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') throw unsafe(path, 'is a symbolic link', `rm ${path}`);
    throw error;
  }
  let text: string;
  try {
    checkPrivate(path, fstatSync(fd), 'file');
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  try {
    const service = JSON.parse(text) as Partial<RunningService>;
    return typeof service.data_dir === 'string' &&
      typeof service.host_id === 'string' &&
      typeof service.pid === 'number' &&
      (typeof service.started === 'number' || service.started === null) &&
      typeof service.port === 'number' &&
      typeof service.bind === 'string' &&
      typeof service.url === 'string'
      ? (service as RunningService)
      : null;
  } catch {
    return null;
  }
}

function checkPrivate(path: string, stats: Stats, kind: 'directory' | 'file'): void {
  const uid = process.getuid?.() ?? 0;
  const fix =
    kind === 'directory' ? `rm -r ${path}, or set PASSTHRU_RUNTIME_DIR to a directory of your own` : `rm ${path}`;
  if (stats.isSymbolicLink()) throw unsafe(path, 'is a symbolic link', fix);
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) throw unsafe(path, `is not a ${kind}`, fix);
  if (stats.uid !== uid) throw unsafe(path, `is owned by uid ${stats.uid}, not by you (uid ${uid})`, fix);
  if ((stats.mode & OTHERS) !== 0) {
    const mode = `0${(stats.mode & 0o777).toString(8)}`;
    throw unsafe(path, `has mode ${mode}: others may write it`, `chmod ${kind === 'directory' ? 700 : 600} ${path}`);
  }
}

const unsafe = (path: string, what: string, fix: string) =>
  forbidden(
    `the runtime ${path} ${what}, so whoever made it could send the CLI's token elsewhere: check who did, then ${fix}`,
  );

/** Field 22 of /proc/PID/stat (after the command name, which may hold blanks and parentheses); null without /proc. */
function startTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return null;
  }
}

function sameProcess(service: RunningService): boolean {
  try {
    process.kill(service.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return startTime(service.pid) === service.started;
}
