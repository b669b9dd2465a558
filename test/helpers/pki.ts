/**
 * A small PKI made by the `openssl` CLI at test time (nothing generated is
 * committed): a root CA, a server certificate for `localhost` and
 * 127.0.0.1 (chain file: leaf + CA), a client certificate, and an
 * unrelated self-signed certificate. `dispose()` removes the directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  /** Absolute path of a file in the directory. */
  path(name: string): string;
  caPem: string;
  /** Leaf + CA, PEM. */
  serverChainPem: string;
  serverKeyPem: string;
  clientPem: string;
  clientKeyPem: string;
  /** A self-signed localhost certificate no test root vouches for. */
  strangerPem: string;
  strangerKeyPem: string;
  dispose(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-pki-'));
  const f = (n: string) => join(dir, n);
  const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '3',
    '-subj',
    '/CN=wasmtls test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  const issue = (name: string, cn: string, ext: string) => {
    ossl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(f(`${name}.ext`), ext);
    ossl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '3',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.crt`),
    );
  };
  issue(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  issue('client', 'client.test', 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  ossl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('stranger.key'),
    '-out',
    f('stranger.crt'),
    '-days',
    '3',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  const pem = (n: string) => readFileSync(f(n), 'utf8');
  writeFileSync(f('server-chain.crt'), pem('server.crt') + pem('ca.crt'));
  return {
    dir,
    path: f,
    caPem: pem('ca.crt'),
    serverChainPem: pem('server-chain.crt'),
    serverKeyPem: pem('server.key'),
    clientPem: pem('client.crt'),
    clientKeyPem: pem('client.key'),
    strangerPem: pem('stranger.crt'),
    strangerKeyPem: pem('stranger.key'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A self-signed P-256 certificate for `cn` with DNS names `sans`, made by
 * the `openssl` CLI into `dir` as c.pem (certificate) and k.pem (key).
 */
export function selfSignedP256(dir: string, cn: string, sans: string[]): { certPem: string; keyPem: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`,
    ],
    { stdio: 'ignore' },
  );
  return { certPem: readFileSync(join(dir, 'c.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'k.pem'), 'utf8') };
}
