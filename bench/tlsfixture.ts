/** Test/bench certificates made with the openssl CLI in a temp dir. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyCert {
  key: string;
  cert: string;
}

/** A self-signed ECDSA P-256 (or other) certificate for `cn`. */
export function selfSigned(kind: 'p256' | 'p384' | 'rsa2048' | 'ed25519' = 'p256', cn = 'localhost'): KeyCert {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-bench-'));
  const alg = {
    p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    rsa2048: ['-newkey', 'rsa:2048'],
    ed25519: ['-newkey', 'ed25519'],
  }[kind];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...alg,
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn},IP:127.0.0.1`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

export interface CaChain {
  /** The root, PEM: what a client trusts. */
  caPem: string;
  /** Leaf for `localhost` and 127.0.0.1, then the root, PEM. */
  chainPem: string;
  keyPem: string;
}

/**
 * A root CA and a server certificate it issued (P-256 both). Clients that
 * are given roots, not a pinned leaf (rustls/webpki refuses a self-signed
 * leaf as its own anchor), need a real chain; the extensions are the ones
 * webpki insists on: CA:TRUE + keyCertSign on the root, serverAuth and a
 * SAN on the leaf.
 */
export function caChain(cn = 'localhost'): CaChain {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-bench-ca-'));
  const f = (n: string) => join(dir, n);
  const ossl = (...a: string[]) => execFileSync('openssl', a, { stdio: 'ignore' });
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
    '2',
    '-subj',
    '/CN=wasmtls bench CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  ossl('req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=${cn}`);
  writeFileSync(
    f('leaf.ext'),
    `subjectAltName=DNS:${cn},IP:127.0.0.1\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  ossl(
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('leaf.ext'),
    '-out',
    f('leaf.crt'),
  );
  const pem = (n: string) => readFileSync(f(n), 'utf8');
  return { caPem: pem('ca.crt'), chainPem: pem('leaf.crt') + pem('ca.crt'), keyPem: pem('leaf.key') };
}
