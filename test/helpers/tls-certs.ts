/**
 * Certificates and keys for the TLS tests, made at test time with the
 * `openssl` CLI in a fresh temporary directory (nothing generated is
 * committed): one self-signed server certificate per signature family we
 * test (ECDSA P-256, ECDSA P-384, RSA 2048 (RSA-PSS signatures), Ed25519),
 * and a client certificate. `dispose()` removes the directory.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type KeyKind = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa2048' | 'ed25519';
export const KEY_KINDS: KeyKind[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa2048', 'ed25519'];

/** The TLS 1.3 signature scheme a key of each kind signs with. */
export const SCHEME_OF: Record<KeyKind, string> = {
  'ecdsa-p256': 'ecdsa_secp256r1_sha256',
  'ecdsa-p384': 'ecdsa_secp384r1_sha384',
  rsa2048: 'rsa_pss_rsae_sha256',
  ed25519: 'ed25519',
};

export interface CertKey {
  kind: KeyKind;
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  certDer: Uint8Array;
  keyDer: Uint8Array; // PKCS #8
}

const NEWKEY: Record<KeyKind, string[]> = {
  'ecdsa-p256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ecdsa-p384': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  rsa2048: ['-newkey', 'rsa:2048'],
  ed25519: ['-newkey', 'ed25519'],
};

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

async function make(dir: string, name: string, kind: KeyKind, cn: string): Promise<CertKey> {
  const certPath = join(dir, `${name}.crt`),
    keyPath = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    ...NEWKEY[kind],
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '3',
    '-subj',
    `/CN=${cn}`,
    '-addext',
    `subjectAltName=DNS:${cn},IP:127.0.0.1`,
  ]);
  const certPem = readFileSync(certPath, 'utf8'),
    keyPem = readFileSync(keyPath, 'utf8');
  return { kind, certPath, keyPath, certPem, keyPem, certDer: pemToDer(certPem), keyDer: pemToDer(keyPem) };
}

export interface TestCerts {
  dir: string;
  server: Record<KeyKind, CertKey>;
  client: CertKey;
  dispose(): void;
}

/** Make every certificate (two openssl processes at a time). */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmtls-tls-'));
  const server = {} as Record<KeyKind, CertKey>;
  const jobs: (() => Promise<void>)[] = KEY_KINDS.map((k) => async () => {
    server[k] = await make(dir, `server-${k}`, k, 'localhost');
  });
  let client!: CertKey;
  jobs.push(async () => {
    client = await make(dir, 'client', 'ecdsa-p256', 'client.test');
  });
  const queue = [...jobs];
  await Promise.all(
    [0, 1].map(async () => {
      for (let j = queue.shift(); j; j = queue.shift()) await j();
    }),
  );
  return { dir, server, client, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
