/** Test/bench certificates made with the openssl CLI in a temp dir. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyCert { key: string; cert: string }

/** A self-signed ECDSA P-256 (or other) certificate for `cn`. */
export function selfSigned(kind: 'p256' | 'p384' | 'rsa2048' | 'ed25519' = 'p256', cn = 'localhost'): KeyCert {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-bench-'));
  const alg = {
    p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    rsa2048: ['-newkey', 'rsa:2048'],
    ed25519: ['-newkey', 'ed25519'],
  }[kind];
  execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}
