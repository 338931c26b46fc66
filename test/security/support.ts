import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../support/service-process.ts';
import { runCli } from '../support/cli-run.ts';

export const TOKEN = 'security-token-0123456789';
const CLIENTS = fileURLToPath(new URL('./clients/', import.meta.url));

export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly scheme: 'http' | 'https';
  readonly env: NodeJS.ProcessEnv;
  /** The service's log lines so far, parsed. */
  readonly logs: () => Record<string, unknown>[];
}

/** A directory with a fake sysfs of one GPU, and the environment of a simulated host in it. */
export function scratch(prefix: string, extra: Record<string, string> = {}): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const device = join(dir, 'sysfs', '0000:03:00.0');
  mkdirSync(device, { recursive: true });
  writeFileSync(join(device, 'class'), '0x030000\n');
  writeFileSync(join(device, 'vendor'), '0x10de\n');
  writeFileSync(join(device, 'device'), '0x1db4\n');
  return {
    dir,
    env: {
      ...process.env,
      PASSTHRU_DATA_DIR: join(dir, 'var'),
      PASSTHRU_HOST_MODE: 'simulated',
      PASSTHRU_SYSFS_PCI: join(dir, 'sysfs'),
      PASSTHRU_HOST_ID: 'security-host',
      PASSTHRU_TOKEN: TOKEN,
      ...extra,
    },
  };
}

/**
 * `passthru serve` on port 0, its port read from its own log (so nothing can
 * take the port in between); resolves once it listens, rejects if it exits first.
 */
export function startLogged(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...env, PASSTHRU_PORT: '0', PASSTHRU_LOG_LEVEL: 'info', PASSTHRU_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.stdout!.on('data', (chunk) => {
      const text = partial + chunk;
      const complete = text.split('\n');
      partial = complete.pop()!;
      for (const line of complete) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          lines.push(entry);
          const listening = /^Server listening at (https?):\/\/127\.0\.0\.1:(\d+)$/.exec(String(entry.msg));
          if (listening) {
            resolve({
              child,
              port: Number(listening[2]),
              scheme: listening[1] as 'http' | 'https',
              env: { ...env, PASSTHRU_PORT: listening[2] },
              logs: () => lines,
            });
          }
        } catch {
          // Not a log line.
        }
      }
    });
    child.once('exit', (code) => reject(Object.assign(new Error(`exited with ${code}: ${stderr}`), { code, stderr })));
  });
}

export async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

/** One HTTPS GET trusting only `ca`: the status, or the error code that stopped it. */
export function httpsGet(url: string, ca: string | undefined, token = TOKEN): Promise<number | string> {
  return new Promise((resolve) => {
    request(url, { ca, headers: { authorization: `Bearer ${token}` } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
      .end();
  });
}

export const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => runCli(args, { env });

/** Python's xmlrpc.client logging in over HTTPS, trusting only `cafile` (or the system's CAs when null). */
export function pythonLogin(
  url: string,
  cafile: string | null,
): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-B', 'tls_login.py', url, cafile ?? '', TOKEN],
      { cwd: CLIENTS, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`tls_login.py failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}
