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
  readonly url: string;
  /** Milliseconds from spawn to the first 200 from /healthz. */
  readonly startMs: number;
  /** Everything written to standard output so far (the log), as a journal would take it. */
  stdout(): string;
  stderr(): string;
}

/**
 * `passthru serve` as `npm start` runs it (default log level and format,
 * standard output a pipe that is read, as a journal reads it) in its own
 * process on a free loopback port, once healthy.
 */
export async function startService(env: Record<string, string>, args: readonly string[] = []): Promise<ServiceProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { ...process.env, PASSTHRU_HOST_MODE: 'simulated', ...env, PASSTHRU_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
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
      child.kill('SIGKILL');
      throw new Error(`passthru serve was not healthy within ${HEALTHY_WITHIN_MS} ms: ${stderr()}${stdout()}`);
    }
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url, startMs: performance.now() - started, stdout, stderr };
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

/** How a service ended: its exit code, or the signal that ended it. */
export type Ending =
  { readonly code: number; readonly signal: null } | { readonly code: null; readonly signal: string };

export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<Ending> {
  const { child } = service;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
  return child.exitCode !== null
    ? { code: child.exitCode, signal: null }
    : { code: null, signal: child.signalCode ?? 'unknown' };
}
