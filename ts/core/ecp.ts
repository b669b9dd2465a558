/**
 * ECDH and ECDSA over the NIST curves P-256 and P-384 (FIPS 186-5,
 * SP 800-56A rev 3, SEC 1 v2), computed by the wasm module in constant
 * time for everything secret. Keys are big-endian byte strings (32 or 48
 * bytes); public keys are SEC 1 uncompressed points `0x04 || X || Y`, as
 * TLS 1.3 key shares carry them (RFC 8446 section 4.2.8.2).
 *
 * Signatures are raw `r || s` (IEEE P1363, as WebCrypto) by default, or
 * DER `ECDSA-Sig-Value` (as TLS and X.509) with `{ der: true }`. Nonces are
 * RFC 6979's, hedged with fresh randomness (section 3.6) unless
 * `extraEntropy: false` asks for the plain deterministic signature.
 *
 * Requires the shared module: `await init()` first.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { ecdhKeygen, ecdh, ecdsaSign, ecdsaVerify } from 'wasmtls/ecp';
 * await init();
 * const a = ecdhKeygen('P-256'), b = ecdhKeygen('P-256');
 * const z = ecdh('P-256', a.privateKey, b.publicKey);   // 32-byte x coordinate
 * const sig = ecdsaSign('P-256', a.privateKey, msg, { der: true });
 * ecdsaVerify('P-256', a.publicKey, msg, sig, { der: true }); // true
 * ```
 * @module
 */
import { abytes } from './bytes.js';
import { digest, hashLength, type HashName } from './hash.js';
import { wasm, type Wasm } from './loader.js';

/** The NIST curves (FIPS 186-5, SEC 2: secp256r1, secp384r1). */
export type CurveName = 'P-256' | 'P-384';

// TLS NamedGroup codepoints, shared with crypto-src/inc/wt_ecp.h.
const IDS: Record<CurveName, number> = { 'P-256': 23, 'P-384': 24 };
const LENS: Record<CurveName, number> = { 'P-256': 32, 'P-384': 48 };
const HASH_IDS: Record<HashName, number> = { 'SHA-256': 1, 'SHA-384': 2, 'SHA-512': 3 };
/** The hash each curve pairs with in TLS 1.3 (ecdsa_secp256r1_sha256, ...). */
const DEFAULT_HASH: Record<CurveName, HashName> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384' };
const MAX_DER = 104;

function curveId(curve: CurveName): number {
  const id = IDS[curve];
  if (id === undefined) throw new TypeError(`wasmtls: unknown curve ${String(curve)}; expected P-256 or P-384`);
  return id;
}

/** Length in bytes of a private key, a coordinate and an ECDH secret. */
export function scalarLength(curve: CurveName): number {
  curveId(curve);
  return LENS[curve];
}

/** Length in bytes of an uncompressed public key (65 or 97). */
export function publicKeyLength(curve: CurveName): number {
  return 1 + 2 * scalarLength(curve);
}

/** A key pair: private scalar and uncompressed public point. */
export interface KeyPair {
  /** The scalar, big-endian, the curve's field size in bytes. */
  privateKey: Uint8Array;
  /** The uncompressed point (SEC 1: 0x04 || x || y). */
  publicKey: Uint8Array;
}

// Copy inputs into one wasm allocation followed by `out` zero bytes; run
// fn with the pointers; wipe everything (inputs may be secret) and free.
function call<T>(inputs: Uint8Array[], out: number, fn: (w: Wasm, ptrs: number[], outPtr: number) => T): T {
  const w = wasm();
  const total = inputs.reduce((n, b) => n + b.length, 0) + out;
  const base = w.alloc(total);
  try {
    const u = w.u8();
    const ptrs: number[] = [];
    let off = base;
    for (const b of inputs) {
      u.set(b, off);
      ptrs.push(off);
      off += b.length;
    }
    u.fill(0, off, off + out);
    return fn(w, ptrs, off);
  } finally {
    w.wipe(base, total);
    w.free(base);
  }
}

/**
 * Generate a key pair: a private key uniform in [1, n-1] (rejection
 * sampling over the module's entropy) and its public key.
 */
export function ecdhKeygen(curve: CurveName): KeyPair {
  const id = curveId(curve);
  const len = LENS[curve];
  return call([], 2 * len + 1 + len, (w, _p, out) => {
    if (w.exports.wt_x_ecp_keygen(id, out, out + len) !== 0) throw new Error('wasmtls: key generation failed');
    return { privateKey: w.copyOut(out, len), publicKey: w.copyOut(out + len, 1 + 2 * len) };
  });
}

/** The uncompressed public key of a private key; throws unless 1 <= priv <= n-1. */
export function ecdhPublicKey(curve: CurveName, privateKey: Uint8Array): Uint8Array {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(privateKey, `${curve} private key`, len);
  return call([privateKey], 1 + 2 * len, (w, [p], out) => {
    if (w.exports.wt_x_ecp_public_key(id, p, out) !== 0) {
      throw new RangeError(`wasmtls: ${curve} private key out of range [1, n-1]`);
    }
    return w.copyOut(out, 1 + 2 * len);
  });
}

/**
 * ECDH shared secret: the x coordinate of privateKey * peerPublicKey
 * (SP 800-56A rev 3 section 5.7.1.2; the TLS 1.3 (EC)DHE input). The peer
 * key must be an uncompressed point; it is fully validated and an invalid
 * point throws.
 */
export function ecdh(curve: CurveName, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(privateKey, `${curve} private key`, len);
  abytes(peerPublicKey, `${curve} peer public key`);
  return call([privateKey, peerPublicKey], len, (w, [p, q], out) => {
    if (w.exports.wt_x_ecdh(id, p, q, peerPublicKey.length, out) !== 0) {
      throw new Error(`wasmtls: ECDH failed: invalid ${curve} peer public key or private key`);
    }
    return w.copyOut(out, len);
  });
}

/**
 * Validate a public key in any SEC 1 form (compressed `0x02`/`0x03 || X` or
 * uncompressed) and return it uncompressed; throws if it is not a point of
 * the curve (or is the point at infinity).
 */
export function ecpPointDecode(curve: CurveName, point: Uint8Array): Uint8Array {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(point, `${curve} point`);
  return call([point], 1 + 2 * len, (w, [p], out) => {
    if (w.exports.wt_x_ecp_point_normalize(id, p, point.length, out) !== 0) {
      throw new Error(`wasmtls: not a valid ${curve} point`);
    }
    return w.copyOut(out, 1 + 2 * len);
  });
}

/** Hash choice and input form shared by signing and verification. */
export interface EcdsaOptions {
  /** DER ECDSA-Sig-Value instead of raw r || s. Default false. */
  der?: boolean;
  /** Message hash. Default: SHA-256 for P-256, SHA-384 for P-384. */
  hash?: HashName;
  /** `msg` is already the digest (of `hash`). Default false. */
  prehashed?: boolean;
}

/** Signing options. */
export interface SignOptions extends EcdsaOptions {
  /**
   * Additional data k' of RFC 6979 section 3.6: `true` (default) draws fresh
   * random bytes (hedged signatures), `false` gives the deterministic RFC
   * 6979 signature, bytes are used as given.
   */
  extraEntropy?: boolean | Uint8Array;
}

function hashFor(curve: CurveName, opts: EcdsaOptions): HashName {
  const h = opts.hash ?? DEFAULT_HASH[curve];
  if (HASH_IDS[h] === undefined) throw new TypeError(`wasmtls: unknown hash ${String(h)}`);
  return h;
}

function messageDigest(curve: CurveName, msg: Uint8Array, opts: EcdsaOptions, sign: boolean): Uint8Array {
  abytes(msg, opts.prehashed ? 'ECDSA digest' : 'ECDSA message');
  const h = hashFor(curve, opts);
  if (!opts.prehashed) return digest(h, msg);
  // Signing derives the nonce with HMAC over `hash`, so the digest must
  // have its length; verification takes any length (truncated to n).
  if (sign) abytes(msg, `ECDSA ${h} digest`, hashLength(h));
  return msg;
}

/**
 * ECDSA signature of `msg` (FIPS 186-5 section 6.4.1) with an RFC 6979
 * nonce, hedged with fresh randomness by default. Raw `r || s` (64 or 96
 * bytes) or DER with `{ der: true }`.
 */
export function ecdsaSign(curve: CurveName, privateKey: Uint8Array, msg: Uint8Array, opts: SignOptions = {}): Uint8Array {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(privateKey, `${curve} private key`, len);
  const h = hashFor(curve, opts);
  const dig = messageDigest(curve, msg, opts, true);
  const ex = opts.extraEntropy ?? true;
  const extra = ex instanceof Uint8Array ? ex : new Uint8Array(0);
  if (typeof ex !== 'boolean') abytes(ex, 'extraEntropy');
  return call([privateKey, dig, extra], 2 * len + MAX_DER + 4, (w, [p, d, e], out) => {
    // extra = NULL, extralen = 1 asks the module for fresh entropy.
    const r =
      ex === true
        ? w.exports.wt_x_ecdsa_sign_digest(id, HASH_IDS[h], p, d, 0, 1, out)
        : w.exports.wt_x_ecdsa_sign_digest(id, HASH_IDS[h], p, d, e, extra.length, out);
    if (r !== 0) throw new RangeError(`wasmtls: ${curve} private key out of range [1, n-1]`);
    if (!opts.der) return w.copyOut(out, 2 * len);
    const der = out + 2 * len;
    const lenPtr = der + MAX_DER;
    w.exports.wt_x_ecdsa_sig_to_der(id, out, der, lenPtr);
    const dl = new DataView(w.exports.memory.buffer).getUint32(lenPtr, true);
    return w.copyOut(der, dl);
  });
}

/**
 * Verify an ECDSA signature (FIPS 186-5 section 6.4.2). Returns false for
 * any invalid signature, malformed encoding (DER is parsed strictly) or
 * invalid public key (compressed and uncompressed forms are accepted).
 * Variable-time: all inputs are public.
 */
export function ecdsaVerify(curve: CurveName, publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array, opts: EcdsaOptions = {}): boolean {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(publicKey, `${curve} public key`);
  abytes(sig, 'ECDSA signature');
  const dig = messageDigest(curve, msg, opts, false);
  if (!opts.der && sig.length !== 2 * len) return false;
  return call([publicKey, dig, sig], 2 * len, (w, [q, d, s], raw) => {
    if (opts.der) {
      if (w.exports.wt_x_ecdsa_sig_from_der(id, s, sig.length, raw) !== 0) return false;
    } else {
      w.u8().copyWithin(raw, s, s + 2 * len);
    }
    return w.exports.wt_x_ecdsa_verify_digest(id, q, publicKey.length, d, dig.length, raw) === 0;
  });
}

/** Raw `r || s` to DER `ECDSA-Sig-Value`. */
export function ecdsaSigToDer(curve: CurveName, raw: Uint8Array): Uint8Array {
  const id = curveId(curve);
  abytes(raw, 'ECDSA raw signature', 2 * LENS[curve]);
  return call([raw], MAX_DER + 4, (w, [r], out) => {
    w.exports.wt_x_ecdsa_sig_to_der(id, r, out, out + MAX_DER);
    return w.copyOut(out, new DataView(w.exports.memory.buffer).getUint32(out + MAX_DER, true));
  });
}

/** Strict DER `ECDSA-Sig-Value` to raw `r || s`; throws on any BER leniency. */
export function ecdsaSigFromDer(curve: CurveName, der: Uint8Array): Uint8Array {
  const id = curveId(curve);
  const len = LENS[curve];
  abytes(der, 'ECDSA DER signature');
  return call([der], 2 * len, (w, [d], out) => {
    if (w.exports.wt_x_ecdsa_sig_from_der(id, d, der.length, out) !== 0) {
      throw new Error('wasmtls: malformed DER ECDSA signature');
    }
    return w.copyOut(out, 2 * len);
  });
}
