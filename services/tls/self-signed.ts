import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { invalidInput } from '../../domain/errors.ts';

/** The names a client may reach this host by: loopback, the host name, every address it has now. */
export function subjectAltNames(bind: string): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .map((info) => info?.address)
    .filter((address): address is string => address !== undefined);
  const ips = new Set(['127.0.0.1', '::1', ...addresses, ...(bind.includes('.') || bind.includes(':') ? [bind] : [])]);
  ips.delete('0.0.0.0');
  ips.delete('::');
  const dns = new Set(['localhost', hostname()]);
  return [...[...dns].map((name) => `DNS:${name}`), ...[...ips].map((ip) => `IP:${ip.split('%')[0]}`)];
}

/**
 * A key made by Node and a self-signed certificate for it made by the
 * `openssl` program, which every XenServer and XCP-ng dom0 has (CentOS 7's
 * 1.0.2 takes this config file as OpenSSL 3 does): no new dependency, and
 * the host's own, security-updated X.509 code. Both files are written 0600.
 */
export function makeSelfSigned(paths: { cert: string; key: string }, names: readonly string[], commonName: string) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileSync(paths.key, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const work = mkdtempSync(join(paths.cert, '..', '.tls-'));
  try {
    const configFile = join(work, 'openssl.cnf');
    writeFileSync(
      configFile,
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        `CN = ${commonName.replace(/[^A-Za-z0-9 ._-]/g, '_')}`,
        '[ext]',
        `subjectAltName = ${names.join(',')}`,
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = serverAuth',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    try {
      execFileSync(
        'openssl',
        // prettier-ignore
        ['req', '-new', '-x509', '-sha256', '-days', '3650', '-config', configFile, '-extensions', 'ext',
          '-key', paths.key, '-out', paths.cert],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (error) {
      rmSync(paths.key, { force: true });
      throw invalidInput(
        `making a self-signed certificate needs the openssl program (${(error as Error).message.split('\n')[0]}): install it, or set PASSTHRU_TLS_CERT and PASSTHRU_TLS_KEY`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
