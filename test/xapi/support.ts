import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TOKEN, type World } from '../support/world.ts';

const CLIENTS = fileURLToPath(new URL('./clients/', import.meta.url));

export const LOGIN = ['session.login_with_password', 'root', TOKEN, '2.21', 'passthru-tests'] as const;

export const success = (Value: unknown) => ({ Status: 'Success', Value });
export const failure = (...ErrorDescription: string[]) => ({ Status: 'Failure', ErrorDescription });

/** Opens the world's service on a real port; a reboot restarts the app, so call it again after one. */
export async function serve(world: World): Promise<string> {
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
}

/** Runs one of the Python clients and parses what it prints. */
export function python(script: string, args: readonly string[], stdin = ''): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      ['-B', script, ...args],
      { cwd: CLIENTS, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
    child.stdin!.end(stdin);
  });
}

/** XAPI calls through Python's xmlrpc.client, posted to `/`: one answer per call, in order. */
export const xmlRpc = (url: string, calls: readonly (readonly unknown[])[]): Promise<any[]> =>
  python('calls.py', [`${url}/`], JSON.stringify(calls));

/** One JSON-RPC 2.0 call over plain HTTP. */
export async function jsonRpc(
  world: World,
  method: string,
  params: readonly unknown[],
  id: number | string = 1,
): Promise<any> {
  const response = await world.request({
    method: 'POST',
    url: '/jsonrpc',
    payload: { jsonrpc: '2.0', method, params, id },
  });
  return response.json();
}

export async function jsonLogin(world: World): Promise<string> {
  return (await jsonRpc(world, LOGIN[0], LOGIN.slice(1))).result;
}
