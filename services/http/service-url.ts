import type { Config } from '../settings/config.ts';
import { servesHttps } from '../tls/tls-mode.ts';

/** The running service as a client on this machine reaches it: the scheme, address and port the service uses. */
export function serviceUrl(config: Config, port: number = config.port): string {
  const host = config.bind === '0.0.0.0' || config.bind === '::' ? '127.0.0.1' : config.bind;
  return `${servesHttps(config) ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
