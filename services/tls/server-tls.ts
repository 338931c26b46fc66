import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { invalidInput } from '../../domain/errors.ts';
import type { Config } from '../settings/config.ts';
import { makeSelfSigned, subjectAltNames } from './self-signed.ts';
import { generatedTlsFiles, servesHttps } from './tls-mode.ts';

/** What HTTPS is served with. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/**
 * The certificate to serve, or null for plain HTTP (loopback, or beyond it
 * only when asked for with --insecure-http). Bound beyond loopback without
 * one, the service makes its own at first start and logs its fingerprint,
 * so clients can pin it.
 */
export function serverTls(config: Config, log: Logger): TlsFiles | null {
  if (!servesHttps(config)) {
    if (config.insecureHttp) {
      log.warn(
        { bind: config.bind },
        'serving plain HTTP (--insecure-http): tokens and events cross the network in clear',
      );
    }
    return null;
  }
  const paths =
    config.tlsCert !== null && config.tlsKey !== null
      ? { cert: config.tlsCert, key: config.tlsKey }
      : generatedTlsFiles(config.dataDir);
  const generated = config.tlsCert === null;
  if (generated && !existsSync(paths.cert)) {
    makeSelfSigned(paths, subjectAltNames(config.bind), `passthru on ${hostname()}`);
    log.info({ cert: paths.cert }, 'made a self-signed certificate: clients trust it with PASSTHRU_TLS_CA');
  }
  const files = { cert: read(paths.cert, 'certificate'), key: read(paths.key, 'key') };
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(files.cert);
  } catch (error) {
    throw invalidInput(`${paths.cert} is no PEM certificate (${(error as Error).message})`);
  }
  log.info(
    { cert: paths.cert, sha256_fingerprint: certificate.fingerprint256, valid_to: certificate.validTo, generated },
    'serving HTTPS',
  );
  return files;
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw invalidInput(`cannot read the TLS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}
