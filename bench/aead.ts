/**
 * AEAD throughput at 1 KiB and 16 KiB, sealing one record at a time as a
 * record layer would: wasmtls SIMD and scalar builds beside node:crypto
 * (native OpenSSL, a cipher object per record), WebCrypto (awaited per
 * record), libsodium-wrappers (wasm, ChaCha20-Poly1305 IETF) and
 * @noble/ciphers (pure JS). All in this process, medians of several runs.
 * `node bench/run.mjs aead`
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import sodium from 'libsodium-wrappers';
import { Aead, type AeadName } from '../ts/core/aead.js';
import { useInstance } from '../ts/core/loader.js';
import { compare, loadFresh, loadShared, RUNS, ratio, table } from './util.js';

await sodium.ready;
const simd = loadShared('simd');
const scalar = loadFresh('scalar');
const aad = new Uint8Array(13);
const nonce = new Uint8Array(randomBytes(12));

const NODE: Record<AeadName, string> = {
  'AES-128-GCM': 'aes-128-gcm',
  'AES-192-GCM': 'aes-192-gcm',
  'AES-256-GCM': 'aes-256-gcm',
  'CHACHA20-POLY1305': 'chacha20-poly1305',
};
console.log(`AEAD seal throughput, MB/s (median of ${RUNS} interleaved runs), Node ${process.version}`);
const rows: (string | number)[][] = [];
for (const alg of ['CHACHA20-POLY1305', 'AES-128-GCM', 'AES-256-GCM'] as AeadName[]) {
  const key = new Uint8Array(randomBytes(alg === 'AES-128-GCM' ? 16 : 32));
  // Each Aead keeps the instance it was made with.
  useInstance(simd);
  const oursSimd = new Aead(alg, key);
  useInstance(scalar);
  const oursScalar = new Aead(alg, key);
  useInstance(simd);
  const webKey = alg === 'CHACHA20-POLY1305' ? undefined : await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  for (const size of [1024, 16384]) {
    const pt = new Uint8Array(randomBytes(size));
    const mbs = (ops: number | undefined) => (ops === undefined ? NaN : (ops * size) / 1e6);
    const fns: Record<string, () => unknown> = {
      simd: () => oursSimd.seal(nonce, pt, aad),
      scalar: () => oursScalar.seal(nonce, pt, aad),
      node: () => {
        const c = createCipheriv(NODE[alg] as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
        c.setAAD(aad);
        c.update(pt);
        c.final();
        return c.getAuthTag();
      },
      noble: () => (alg === 'CHACHA20-POLY1305' ? chacha20poly1305(key, nonce, aad) : gcm(key, nonce, aad)).encrypt(pt),
    };
    // WebCrypto awaited one record at a time, as a record layer would.
    if (webKey) fns.web = () => crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad }, webKey, pt);
    if (alg === 'CHACHA20-POLY1305') fns.sodium = () => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(pt, aad, null, nonce, key);
    const r = await compare(fns);
    const [a, b, node, web, so, noble] = [r.simd, r.scalar, r.node, r.web, r.sodium, r.noble].map(mbs);
    rows.push([
      `${alg} ${size} B`,
      a,
      b,
      node,
      web,
      so,
      noble,
      ratio(a, node),
      Number.isNaN(web) ? '-' : ratio(a, web),
      Number.isNaN(so) ? '-' : ratio(a, so),
      ratio(a, noble),
    ]);
  }
  oursSimd.dispose();
  oursScalar.dispose();
}
table(
  [
    'seal',
    'ours SIMD',
    'ours scalar',
    'node:crypto',
    'WebCrypto',
    'libsodium',
    '@noble',
    'vs node',
    'vs WebCrypto',
    'vs libsodium',
    'vs noble',
  ],
  rows.map((r) => r.map((c) => (typeof c === 'number' && Number.isNaN(c) ? '-' : c))),
);
