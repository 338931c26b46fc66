import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli, httpsGet, pythonLogin, scratch, startLogged, stop } from './support.ts';

const test = suite('TLS: HTTPS with a certificate given or made, and the clients that trust it');
const dirs: string[] = [];
test.after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workspace(prefix: string, extra: Record<string, string> = {}) {
  const made = scratch(prefix, extra);
  dirs.push(made.dir);
  return made;
}

const plainHttpStatus = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (response) => response.status,
    (error: Error) => `refused: ${error.message}`,
  );

/** A private CA and a server certificate it signed for 127.0.0.1, as an operator's PKI would issue. */
function privateCa(dir: string, name = 'ca') {
  const file = (what: string) => join(dir, `${name}-${what}`);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`,
    '-keyout', file('key.pem'), '-out', file('cert.pem'),
  ); // prettier-ignore
  writeFileSync(file('ext.cnf'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  openssl(
    'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=passthru test server',
    '-keyout', file('server-key.pem'), '-out', file('server.csr'),
  ); // prettier-ignore
  openssl(
    'x509', '-req', '-in', file('server.csr'), '-CA', file('cert.pem'), '-CAkey', file('key.pem'),
    '-CAcreateserial', '-days', '2', '-extfile', file('ext.cnf'), '-out', file('server-cert.pem'),
  ); // prettier-ignore
  execFileSync('chmod', ['600', file('server-key.pem')]);
  return { ca: file('cert.pem'), cert: file('server-cert.pem'), key: file('server-key.pem') };
}

test('bound to 0.0.0.0 with no certificate, it makes one, logs its fingerprint and serves HTTPS only', async () => {
  const { dir, env } = workspace('passthru-tls-made-', { PASSTHRU_BIND: '0.0.0.0' });
  const service = await startLogged(env);
  try {
    assert.is(service.scheme, 'https');
    const certPath = join(dir, 'var', 'tls-cert.pem');
    const cert = readFileSync(certPath, 'utf8');
    const logged = service.logs().find((line) => line.msg === 'serving HTTPS');
    assert.is(logged?.sha256_fingerprint, new X509Certificate(cert).fingerprint256);
    assert.is(statSync(join(dir, 'var', 'tls-key.pem')).mode & 0o777, 0o600);

    // then plain HTTP gets nothing, HTTPS trusting that certificate gets the service, trusting nothing else fails
    assert.match(String(await plainHttpStatus(service.port)), /^refused/, 'plain HTTP is not served');
    const url = `https://127.0.0.1:${service.port}`;
    assert.is(await httpsGet(`${url}/v1/pcis`, cert), 200);
    assert.is(await httpsGet(`${url}/v1/pcis`, undefined), 'DEPTH_ZERO_SELF_SIGNED_CERT');

    // the CLI on the host follows the same settings and trusts the certificate in its data dir
    const listed = await cli(service.env, 'token', 'list');
    assert.is(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^admin\s+operator/m);
    // given another CA to trust, it refuses the service's certificate
    const other = privateCa(dir, 'other');
    const refused = await cli({ ...service.env, PASSTHRU_TLS_CA: other.ca }, 'token', 'list');
    assert.is(refused.code, 1);
    assert.match(refused.stderr, /shows a certificate this CLI does not trust .*PASSTHRU_TLS_CA/);

    // Python's xmlrpc.client with the certificate as its CA logs in; without it, refuses
    const python = await pythonLogin(`${url}/`, certPath);
    assert.equal(python, { ok: true, value: python.value });
    assert.is((python.value as unknown[]).length, 1);
    const unknown = await pythonLogin(`${url}/`, other.ca);
    assert.is(unknown.ok, false);
    assert.match(String(unknown.error), /SSLCertVerificationError: CERTIFICATE_VERIFY_FAILED/);
  } finally {
    await stop(service);
  }
  // and a restart keeps the certificate clients pinned
  const again = await startLogged(env);
  try {
    const fingerprint = new X509Certificate(readFileSync(join(dir, 'var', 'tls-cert.pem'))).fingerprint256;
    assert.is(again.logs().find((line) => line.msg === 'serving HTTPS')?.sha256_fingerprint, fingerprint);
    assert.is(again.logs().find((line) => line.msg === 'serving HTTPS')?.generated, true);
  } finally {
    await stop(again);
  }
});

test('given PASSTHRU_TLS_CERT and KEY, it serves HTTPS with them; clients trust it through PASSTHRU_TLS_CA', async () => {
  const { dir, env } = workspace('passthru-tls-given-');
  const pki = privateCa(dir);
  const service = await startLogged({ ...env, PASSTHRU_TLS_CERT: pki.cert, PASSTHRU_TLS_KEY: pki.key });
  try {
    assert.is(service.scheme, 'https');
    assert.not.ok(existsSync(join(dir, 'var', 'tls-cert.pem')), 'no certificate made');
    const url = `https://127.0.0.1:${service.port}`;
    assert.is(await httpsGet(`${url}/v1/whoami`, readFileSync(pki.ca, 'utf8')), 200);

    const trusted = await cli({ ...service.env, PASSTHRU_TLS_CA: pki.ca }, 'hide', '03:00.0');
    assert.is(trusted.code, 0, trusted.stderr);
    assert.match(trusted.stdout, /0000:03:00\.0: disabled_on_reboot/);
    const untrusted = await cli(service.env, 'unhide', '03:00.0');
    assert.is(untrusted.code, 1);
    assert.match(untrusted.stderr, /does not trust \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);

    assert.equal((await pythonLogin(`${url}/`, pki.ca)).ok, true);
    assert.match(String((await pythonLogin(`${url}/`, null)).error), /CERTIFICATE_VERIFY_FAILED/);
  } finally {
    await stop(service);
  }
});

test('with --insecure-http beyond loopback, it serves plain HTTP and makes no certificate', async () => {
  const { dir, env } = workspace('passthru-tls-insecure-', { PASSTHRU_BIND: '0.0.0.0', PASSTHRU_INSECURE_HTTP: '1' });
  const service = await startLogged(env);
  try {
    assert.is(service.scheme, 'http');
    assert.is(await plainHttpStatus(service.port), 200);
    assert.not.ok(existsSync(join(dir, 'var', 'tls-cert.pem')));
    assert.ok(service.logs().some((line) => /plain HTTP \(--insecure-http\)/.test(String(line.msg))));
    const listed = await cli(service.env, 'token', 'list');
    assert.is(listed.code, 0, listed.stderr);
  } finally {
    await stop(service);
  }
});

test('a certificate without its key is refused before anything starts', async () => {
  const { env } = workspace('passthru-tls-half-');
  const run = await cli({ ...env, PASSTHRU_TLS_CERT: '/nonexistent.pem' }, 'serve');
  assert.is(run.code, 2);
  assert.match(run.stderr, /PASSTHRU_TLS_CERT and PASSTHRU_TLS_KEY go together/);
});

test.run();
