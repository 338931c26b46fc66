import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { hostFailure, invalidInput, PassthruError } from '../../domain/errors.ts';
import { parsePciAddress } from '../../domain/pci-address.ts';
import type { Config } from '../config.ts';
import { rebootSimulatedHost } from '../host/simulated-host.ts';
import { tokenFile } from '../token.ts';
import type { Flags, Output } from './main.ts';

/** Changes go through the running service, so its lane serialises them and its log records them. */
interface Changed {
  readonly record: { readonly id: string; readonly dom0_access: string };
  readonly changed: boolean;
}

/** One id goes to the device's route, several to the batch route: one boot configuration edit for all. */
export async function commandThroughService(
  config: Config,
  name: 'hide' | 'unhide',
  ids: readonly string[],
  flags: Flags,
  out: Output,
): Promise<number> {
  const pcis = ids.map(parsePciAddress);
  const reason = typeof flags.reason === 'string' ? flags.reason : undefined;
  const options = { ...(reason ? { reason } : {}), ...(flags.force ? { force: true } : {}) };
  const [single] = pcis;
  const body =
    pcis.length === 1
      ? await post(config, `/v1/pcis/${single}/${name}`, options)
      : await post(config, `/v1/pcis/${name}`, { ids: pcis, ...options });
  if (flags.json) {
    out(JSON.stringify(body, null, 2));
    return 0;
  }
  const answer = body as { warnings: string[] } & (Changed['record'] & { changed: boolean });
  const results: Changed[] =
    pcis.length === 1 ? [{ record: answer, changed: answer.changed }] : (body as { results: Changed[] }).results;
  for (const { record, changed } of results) {
    out(
      changed ? `${record.id}: ${record.dom0_access}` : `${record.id}: already ${record.dom0_access}, nothing changed`,
    );
  }
  for (const warning of answer.warnings) out(`warning: ${warning}`);
  return 0;
}

export async function rebootCommand(config: Config, _flags: Flags, out: Output): Promise<number> {
  if (config.hostMode !== 'simulated') {
    throw invalidInput('reboot only reboots a simulated host; this one is a real dom0 (PASSTHRU_HOST_MODE=xen)');
  }
  const { bootId } = rebootSimulatedHost(config.dataDir);
  out(`simulated host rebooted, boot id ${bootId}`);
  try {
    await post(config, '/v1/reconcile', {});
    out('the running service has reconciled with the new boot');
  } catch (error) {
    if (!(error instanceof PassthruError && error.details.unreachable)) throw error;
    out('no service is running; it reconciles when it starts');
  }
  return 0;
}

async function post(config: Config, path: string, body: unknown): Promise<unknown> {
  const base = `http://${serviceHost(config.bind)}:${config.port}`;
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token(config)}`,
        'content-type': 'application/json',
        'passthru-actor': `cli:${userInfo().username}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(config.xenCmdlineTimeoutMs * 3),
    });
  } catch (error) {
    throw hostFailure(
      `cannot reach the passthru service at ${base} (${(error as Error).message}): is "passthru serve" running?`,
      {
        unreachable: true,
      },
    );
  }
  const answer = (await response.json().catch(() => ({}))) as { detail?: string };
  if (!response.ok) {
    throw new PassthruError(
      response.status === 404 ? 'not_found' : response.status === 409 ? 'conflict' : 'host_failure',
      answer.detail ?? `HTTP ${response.status}`,
    );
  }
  return answer;
}

function serviceHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}

function token(config: Config): string {
  if (config.token) return config.token;
  try {
    return readFileSync(tokenFile(config.dataDir), 'utf8').trim();
  } catch {
    throw invalidInput(
      `no token: set PASSTHRU_TOKEN or start the service once so it writes ${tokenFile(config.dataDir)}`,
    );
  }
}
