/**
 * Public-key operations per second (medians of several runs, one process):
 * wasmtls (SIMD build) beside node:crypto (native OpenSSL), @noble/curves
 * and @noble/post-quantum (pure JS) and libsodium-wrappers (wasm), each on
 * the operations it has. Ratios are ours / peer.
 * `node bench/run.mjs pk` (BENCH_PK=ECDSA for the rows whose name has it)
 */
import * as nc from 'node:crypto';
import { ed25519 as nEd, x25519 as nX } from '@noble/curves/ed25519.js';
import { p256 as nP256, p384 as nP384 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import sodium from 'libsodium-wrappers';
import { ecdh, ecdhKeygen, ecdsaSign, ecdsaVerify } from '../ts/core/ecp.js';
import { ed25519PublicKey, Ed25519SigningKey, ed25519Verify, x25519, x25519PublicKey } from '../ts/core/ec25519.js';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from '../ts/core/mlkem.js';
import { rsaParsePrivateKey, rsaParsePublicKey, rsaSign, rsaVerify } from '../ts/core/rsa.js';
import { compare, loadShared, RUNS, ratio, table } from './util.js';

await sodium.ready;
loadShared('simd');
const msg = new Uint8Array(nc.randomBytes(100));
const rnd = (n: number) => new Uint8Array(nc.randomBytes(n));
type Row = [string, number, number | undefined, number | undefined, number | undefined];
const rows: Row[] = [];
type Fn = (() => unknown) | undefined;
// BENCH_PK=P-256 (a substring of the row names) runs only the matching rows.
const only = process.env.BENCH_PK;
// One row: ours, node:crypto, noble, libsodium, measured interleaved.
async function row(name: string, ours: Fn, node: Fn, noble: Fn, so: Fn): Promise<void> {
  if (only !== undefined && !name.includes(only)) return;
  const fns: Record<string, () => unknown> = {};
  for (const [k, f] of [
    ['ours', ours],
    ['node', node],
    ['noble', noble],
    ['so', so],
  ] as const)
    if (f) fns[k] = f;
  const r = await compare(fns);
  rows.push([name, r.ours, r.node, r.noble, r.so]);
}

// X25519: keygen + derive (what a TLS handshake does per connection).
{
  const peerPub = x25519PublicKey(rnd(32));
  const nodePeer = nc.generateKeyPairSync('x25519').publicKey;
  await row(
    'X25519 keygen+derive',
    () => {
      const k = rnd(32);
      x25519PublicKey(k);
      return x25519(k, peerPub);
    },
    () => {
      const kp = nc.generateKeyPairSync('x25519');
      return nc.diffieHellman({ privateKey: kp.privateKey, publicKey: nodePeer });
    },
    () => {
      const k = nX.utils.randomSecretKey();
      nX.getPublicKey(k);
      return nX.getSharedSecret(k, peerPub);
    },
    () => {
      const k = sodium.randombytes_buf(32);
      sodium.crypto_scalarmult_base(k);
      return sodium.crypto_scalarmult(k, peerPub);
    },
  );
}
// P-256 / P-384
for (const [curve, noble, hash] of [
  ['P-256', nP256, 'sha256'],
  ['P-384', nP384, 'sha384'],
] as const) {
  const kp = ecdhKeygen(curve);
  const peer = ecdhKeygen(curve);
  const nodeCurve = curve === 'P-256' ? 'prime256v1' : 'secp384r1';
  const nodeKp = nc.generateKeyPairSync('ec', { namedCurve: nodeCurve });
  const nodePeerKp = nc.generateKeyPairSync('ec', { namedCurve: nodeCurve });
  if (curve === 'P-256') {
    await row(
      `${curve} ECDH keygen+derive`,
      () => ecdh(curve, ecdhKeygen(curve).privateKey, peer.publicKey),
      () => {
        const k = nc.generateKeyPairSync('ec', { namedCurve: nodeCurve });
        return nc.diffieHellman({ privateKey: k.privateKey, publicKey: nodePeerKp.publicKey });
      },
      () => noble.getSharedSecret(noble.utils.randomSecretKey(), peer.publicKey),
      undefined,
    );
    const nsk = noble.utils.randomSecretKey();
    await row(
      `${curve} ECDSA sign`,
      () => ecdsaSign(curve, kp.privateKey, msg, { der: true }),
      () => nc.sign(hash, msg, { key: nodeKp.privateKey, dsaEncoding: 'der' }),
      () => noble.sign(msg, nsk),
      undefined,
    );
  }
  const sig = ecdsaSign(curve, kp.privateKey, msg, { der: true });
  const nodeSig = nc.sign(hash, msg, { key: nodeKp.privateKey, dsaEncoding: 'der' });
  const nsk = noble.utils.randomSecretKey();
  const npk = noble.getPublicKey(nsk);
  const nsig = noble.sign(msg, nsk);
  await row(
    `${curve} ECDSA verify`,
    () => ecdsaVerify(curve, kp.publicKey, msg, sig, { der: true }),
    () => nc.verify(hash, msg, { key: nodeKp.publicKey, dsaEncoding: 'der' }, nodeSig),
    () => noble.verify(nsig, msg, npk),
    undefined,
  );
}
// RSA-2048: the same key in every implementation.
{
  const { privateKey, publicKey } = nc.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const priv = rsaParsePrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const pub = rsaParsePublicKey(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const sig = rsaSign(priv, 'pss', 'SHA-256', msg);
  const pss = { padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  await row(
    'RSA-2048 PSS sign',
    () => rsaSign(priv, 'pss', 'SHA-256', msg),
    () => nc.sign('sha256', msg, { key: privateKey, ...pss }),
    undefined,
    undefined,
  );
  await row(
    'RSA-2048 PSS verify',
    () => rsaVerify(pub, 'pss', 'SHA-256', msg, sig),
    () => nc.verify('sha256', msg, { key: publicKey, ...pss }, sig),
    undefined,
    undefined,
  );
  priv.dispose();
  pub.dispose();
}
// Ed25519
{
  const seed = rnd(32);
  const key = new Ed25519SigningKey(seed);
  const pub = ed25519PublicKey(seed);
  const sig = key.sign(msg);
  const nodeKp = nc.generateKeyPairSync('ed25519');
  const nodeSig = nc.sign(null, msg, nodeKp.privateKey);
  const sodiumKp = sodium.crypto_sign_seed_keypair(seed);
  await row(
    'Ed25519 sign',
    () => key.sign(msg),
    () => nc.sign(null, msg, nodeKp.privateKey),
    () => nEd.sign(msg, seed),
    () => sodium.crypto_sign_detached(msg, sodiumKp.privateKey),
  );
  await row(
    'Ed25519 verify',
    () => ed25519Verify(pub, msg, sig),
    () => nc.verify(null, msg, nodeKp.publicKey, nodeSig),
    () => nEd.verify(sig, msg, pub),
    () => sodium.crypto_sign_verify_detached(sig, msg, pub),
  );
  key.dispose();
}
// ML-KEM-768 (node:crypto on Node 20 has none; @noble/post-quantum in the noble column)
{
  const kp = mlkem768Keygen();
  const enc = mlkem768Encapsulate(kp.publicKey);
  const nkp = ml_kem768.keygen();
  const nenc = ml_kem768.encapsulate(nkp.publicKey);
  await row(
    'ML-KEM-768 encaps',
    () => mlkem768Encapsulate(kp.publicKey),
    undefined,
    () => ml_kem768.encapsulate(nkp.publicKey),
    undefined,
  );
  await row(
    'ML-KEM-768 decaps',
    () => mlkem768Decapsulate(kp.secretKey, enc.ciphertext),
    undefined,
    () => ml_kem768.decapsulate(nenc.cipherText, nkp.secretKey),
    undefined,
  );
}

console.log(`public-key operations per second (median of ${RUNS} interleaved runs), Node ${process.version}`);
const dash = (x: number | undefined) => (x === undefined ? '-' : x);
const rat = (a: number, b: number | undefined) => (b === undefined ? '-' : ratio(a, b));
table(
  ['operation', 'wasmtls', 'node:crypto', '@noble', 'libsodium', 'vs node', 'vs noble', 'vs libsodium'],
  rows.map(([n, o, nd, nb, so]) => [n, o, dash(nd), dash(nb), dash(so), rat(o, nd), rat(o, nb), rat(o, so)]),
);
