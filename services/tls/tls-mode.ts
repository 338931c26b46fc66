import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../settings/config.ts';

/** Where the service keeps the certificate it makes for itself, as XAPI does at install. */
export const generatedTlsFiles = (dataDir: string) => ({
  cert: join(dataDir, 'tls-cert.pem'),
  key: join(dataDir, 'tls-key.pem'),
});

export function isLoopback(bind: string): boolean {
  if (bind === 'localhost' || bind === '::1') return true;
  return isIP(bind) === 4 && bind.startsWith('127.');
}

/**
 * HTTPS when a certificate is given, or when bound beyond loopback without
 * `--insecure-http`: the service and its clients decide it by the same rule.
 */
export const servesHttps = (config: Config): boolean =>
  config.tlsCert !== null || (!isLoopback(config.bind) && !config.insecureHttp);

/** The certificate the service serves: the one given, else the one it makes. */
export const certificatePath = (config: Config): string => config.tlsCert ?? generatedTlsFiles(config.dataDir).cert;
