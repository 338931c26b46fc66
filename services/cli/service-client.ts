import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { userInfo } from 'node:os';
import { invalidInput, PassthruError, type ErrorKind } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';
import { generatedTlsFiles } from '../tls/tls-mode.ts';
import { serviceUrl } from '../http/service-url.ts';
import { tokenFile } from '../access/admin-token.ts';

const KIND: Record<number, ErrorKind> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
};

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/**
 * Asks the running service, with the admin token (or PASSTHRU_TOKEN); over
 * HTTPS it trusts PASSTHRU_TLS_CA, else the certificate the service made in
 * this data dir, else the system's CAs. An error answer becomes the error it names.
 */
export async function callService(config: Config, method: string, path: string, body?: unknown): Promise<unknown> {
  const base = serviceUrl(config);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let response: { status: number; text: string };
  try {
    response = await send(config, new URL(path, base), method, payload);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (UNTRUSTED.has(code)) {
      throw new PassthruError(
        'unauthorized',
        `the service at ${base} shows a certificate this CLI does not trust (${code}): set PASSTHRU_TLS_CA to its CA or to the certificate itself`,
      );
    }
    throw new PassthruError(
      'host_failure',
      `cannot reach the passthru service at ${base} (${(error as Error).message}): is "passthru serve" running?`,
      { unreachable: true },
    );
  }
  let answer: { detail?: string } = {};
  try {
    answer = JSON.parse(response.text) as { detail?: string };
  } catch {
    // Not JSON: the status alone says what went wrong.
  }
  if (response.status >= 400) {
    throw new PassthruError(KIND[response.status] ?? 'host_failure', answer.detail ?? `HTTP ${response.status}`);
  }
  return answer;
}

function send(config: Config, url: URL, method: string, payload: string | undefined) {
  const ca = trustedCa(config);
  const options = {
    method,
    headers: {
      authorization: `Bearer ${token(config)}`,
      'passthru-actor': `cli:${userInfo().username}`,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    timeout: config.xenCmdlineTimeoutMs * 3,
    ...(ca ? { ca } : {}),
  };
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const answered = (message: IncomingMessage) => {
      let text = '';
      message.setEncoding('utf8');
      message.on('data', (chunk: string) => (text += chunk));
      message.on('end', () => resolve({ status: message.statusCode ?? 0, text }));
      message.on('error', reject);
    };
    const request =
      url.protocol === 'https:' ? httpsRequest(url, options, answered) : httpRequest(url, options, answered);
    request.on('timeout', () => request.destroy(new Error('no answer in time')));
    request.on('error', reject);
    request.end(payload);
  });
}

function trustedCa(config: Config): string | undefined {
  if (config.tlsCa) return readFileSync(config.tlsCa, 'utf8');
  const generated = generatedTlsFiles(config.dataDir).cert;
  return config.tlsCert === null && existsSync(generated) ? readFileSync(generated, 'utf8') : undefined;
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
