/**
 * ML-KEM-768 (FIPS 203), the post-quantum key encapsulation of the TLS
 * hybrid group X25519MLKEM768, computed by the wasm module in constant
 * time. Requires the shared module: `await init()` first.
 *
 * Sizes: public (encapsulation) key 1184 bytes, secret (decapsulation)
 * key 2400 bytes, ciphertext 1088 bytes, shared secret 32 bytes, seed 64
 * bytes (d || z).
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { mlkem768Keygen, mlkem768Encapsulate, mlkem768Decapsulate } from 'wasmtls/mlkem';
 * await init();
 * const { publicKey, secretKey } = mlkem768Keygen();               // receiver
 * const { ciphertext, sharedSecret } = mlkem768Encapsulate(publicKey); // sender
 * const same = mlkem768Decapsulate(secretKey, ciphertext);          // receiver
 * ```
 * @module
 */
import { abytes } from './bytes.js';
import { wasm } from './loader.js';

/** Byte lengths of ML-KEM-768 values (FIPS 203 Table 3). */
export const MLKEM768 = /* @__PURE__ */ Object.freeze({
  /** Encapsulation (public) key bytes. */
  publicKeyLength: 1184,
  /** Decapsulation (secret) key bytes. */
  secretKeyLength: 2400,
  /** Ciphertext bytes. */
  ciphertextLength: 1088,
  /** Shared secret bytes. */
  sharedSecretLength: 32,
  /** Key generation seed bytes (d || z). */
  seedLength: 64,
  /** Encapsulation randomness (m) bytes. */
  msgLength: 32,
});

const EK = 1184;
const DK = 2400;
const CT = 1088;
const SS = 32;
const SEED = 64;
const MSG = 32;

/** An ML-KEM-768 key pair. */
export interface MlKem768KeyPair {
  /** Encapsulation key ek, 1184 bytes: send it to the peer. */
  publicKey: Uint8Array;
  /** Decapsulation key dk, 2400 bytes: keep it secret. */
  secretKey: Uint8Array;
}

/** The result of an encapsulation. */
export interface MlKem768Encapsulation {
  /** 1088 bytes for the holder of the secret key. */
  ciphertext: Uint8Array;
  /** 32 bytes, the same the holder of the secret key will get. */
  sharedSecret: Uint8Array;
}

/**
 * Generate a key pair. With a 64-byte `seed` (d || z) the pair is
 * ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm 16), deterministic;
 * without one, the seed is drawn from the loader's random source.
 */
export function mlkem768Keygen(seed?: Uint8Array): MlKem768KeyPair {
  if (seed !== undefined) abytes(seed, 'mlkem768Keygen seed', SEED);
  const w = wasm();
  // One scratch region: [seed 64][ek 1184][dk 2400]
  const p = w.scratch(SEED + EK + DK);
  if (seed) w.u8().set(seed, p);
  w.exports.wt_x_mlkem768_keygen(p + SEED, p + SEED + EK, seed ? p : 0);
  const publicKey = w.copyOut(p + SEED, EK);
  const secretKey = w.copyOut(p + SEED + EK, DK);
  w.wipe(p, SEED + EK + DK);
  return { publicKey, secretKey };
}

/**
 * Encapsulate a fresh shared secret to `publicKey` (ML-KEM.Encaps, FIPS
 * 203 Algorithm 20). Throws a RangeError for a key that is not 1184 bytes
 * and an Error for one that fails the modulus check of FIPS 203 7.2.
 * `m` (32 bytes) replaces the random message for known-answer tests
 * (ML-KEM.Encaps_internal); never pass it otherwise.
 */
export function mlkem768Encapsulate(publicKey: Uint8Array, m?: Uint8Array): MlKem768Encapsulation {
  abytes(publicKey, 'mlkem768Encapsulate publicKey', EK);
  if (m !== undefined) abytes(m, 'mlkem768Encapsulate m', MSG);
  const w = wasm();
  // [m 32][ek 1184][ct 1088][ss 32]
  const p = w.scratch(MSG + EK + CT + SS);
  const u = w.u8();
  if (m) u.set(m, p);
  u.set(publicKey, p + MSG);
  const r = w.exports.wt_x_mlkem768_encaps(p + MSG + EK, p + MSG + EK + CT, p + MSG, m ? p : 0);
  try {
    if (r !== 0) {
      throw new Error('mlkem768Encapsulate: publicKey fails the FIPS 203 section 7.2 modulus check (a coefficient of t is >= q = 3329)');
    }
    return { ciphertext: w.copyOut(p + MSG + EK, CT), sharedSecret: w.copyOut(p + MSG + EK + CT, SS) };
  } finally {
    w.wipe(p, MSG + EK + CT + SS);
  }
}

/**
 * Recover the shared secret from `ciphertext` with `secretKey`
 * (ML-KEM.Decaps, FIPS 203 Algorithm 21). Throws a RangeError for wrong
 * lengths and an Error for a secret key that fails the hash check of
 * FIPS 203 7.3. A ciphertext that was tampered with is not an error: it
 * yields the implicit-rejection secret, unrelated to the sender's.
 */
export function mlkem768Decapsulate(secretKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  abytes(secretKey, 'mlkem768Decapsulate secretKey', DK);
  abytes(ciphertext, 'mlkem768Decapsulate ciphertext', CT);
  const w = wasm();
  // [dk 2400][ct 1088][ss 32]
  const p = w.scratch(DK + CT + SS);
  const u = w.u8();
  u.set(secretKey, p);
  u.set(ciphertext, p + DK);
  const r = w.exports.wt_x_mlkem768_decaps(p + DK + CT, p, p + DK);
  try {
    if (r !== 0) {
      throw new Error('mlkem768Decapsulate: secretKey fails the FIPS 203 section 7.3 hash check (H(ek) does not match)');
    }
    return w.copyOut(p + DK + CT, SS);
  } finally {
    w.wipe(p, DK + CT + SS);
  }
}
