import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'passthru.js');

/** Far above a start on a loaded two-core machine (under 2 s): only a hung service reaches it. */
const HEALTHY_WITHIN_MS = 60_000;
// What is kept of a service's output for the tests and the error messages: its last lines.
const KEPT_CHARS = 1_000_000;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Whether the child leads a process group of its own, which a stop signals whole. */
  readonly group: boolean;
  readonly url: string;
  /** Milliseconds from spawn to the first 200 from /healthz. */
  readonly startMs: number;
  /** Everything written to standard output so far (the log), as a journal would take it. */
  stdout(): string;
  stderr(): string;
}

/** `passthru serve` run through its entry in `bin/`, as the systemd unit runs it. */
export const SERVE: readonly string[] = [process.execPath, BIN, 'serve'];

/**
 * `passthru serve` with its default settings (log level and format, standard
 * output a pipe that is read, as a journal reads it) in its own process on a
 * free loopback port, once healthy; `command` is how it is run.
 */
export async function startService(
  env: Record<string, string>,
  args: readonly string[] = [],
  command: readonly string[] = SERVE,
): Promise<ServiceProcess> {
  const port = await freePort();
  const started = performance.now();
  const [program, ...programArgs] = command;
  // A command other than node itself (npm start: npm, a shell, node) runs as a process group, stopped whole.
  const group = command !== SERVE;
  const child = spawn(program!, [...programArgs, ...args], {
    env: { ...process.env, PASSTHRU_HOST_MODE: 'simulated', ...env, PASSTHRU_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  const stdout = collect(child.stdout!);
  const stderr = collect(child.stderr!);
  const url = `http://127.0.0.1:${port}`;
  const deadline = started + HEALTHY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`passthru serve exited (${child.exitCode ?? child.signalCode}): ${stderr()}${stdout()}`);
    }
    if (performance.now() > deadline) {
      signalService(child, group, 'SIGKILL');
      throw new Error(`passthru serve was not healthy within ${HEALTHY_WITHIN_MS} ms: ${stderr()}${stdout()}`);
    }
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, group, url, startMs: performance.now() - started, stdout, stderr };
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    if (text.length > KEPT_CHARS) text = text.slice(-KEPT_CHARS / 2);
  });
  return () => text;
}

function signalService(child: ChildProcess, group: boolean, signal: NodeJS.Signals): void {
  if (group) process.kill(-child.pid!, signal);
  else child.kill(signal);
}

function groupAlive(leader: number): boolean {
  try {
    process.kill(-leader, 0);
    return true;
  } catch {
    return false;
  }
}

/** How a service ended: its exit code, or the signal that ended it. */
export type Ending =
  { readonly code: number; readonly signal: null } | { readonly code: null; readonly signal: string };

export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<Ending> {
  const { child } = service;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signalService(child, service.group, signal);
    await exited;
    // npm is gone, but the service it ran may still be closing its store: wait for the whole group.
    while (service.group && groupAlive(child.pid!)) await new Promise((r) => setTimeout(r, 5));
  }
  return child.exitCode !== null
    ? { code: child.exitCode, signal: null }
    : { code: null, signal: child.signalCode ?? 'unknown' };
}
