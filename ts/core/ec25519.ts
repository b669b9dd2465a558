/**
 * X25519 key agreement (RFC 7748) and Ed25519 signatures (RFC 8032, pure
 * Ed25519), computed by the wasm module in constant time for every secret
 * input. Requires the shared module: `await init()` first.
 *
 * Keys are raw bytes: a 32-byte X25519 private key (any 32 bytes; it is
 * clamped), a 32-byte Ed25519 seed, 32-byte public keys, 64-byte
 * signatures.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { x25519, x25519PublicKey, ed25519Sign, ed25519Verify } from 'wasmtls/ec25519';
 * await init();
 * const priv = crypto.getRandomValues(new Uint8Array(32));
 * const share = x25519PublicKey(priv);          // send to the peer
 * const secret = x25519(priv, peerShare);        // throws on a low-order peer share
 * const sig = ed25519Sign(seed, message);
 * ed25519Verify(publicKey, message, sig);        // true or false
 * ```
 * @module
 */
import { abytes } from './bytes.js';
import { wasm, type Wasm } from './loader.js';

/** Thrown by {@link x25519} when the shared secret is all zeros: the peer
 * sent a point of small order (RFC 7748 section 6.1; TLS 1.3 aborts the
 * handshake, RFC 8446 section 7.4.2). */
export class X25519ZeroSharedSecretError extends Error {
  constructor() {
    super('x25519: the shared secret is all zeros (the peer public key is a low-order point); refusing it');
    this.name = 'X25519ZeroSharedSecretError';
  }
}

// Above this many bytes of arguments (long messages) a call allocates its
// own region instead of growing the shared scratch for good.
const SCRATCH_MAX = 65536;

// Copy the inputs into one region, run fn with their addresses and the
// address of `extra` output bytes after them, then wipe the region (it
// held secrets).
function withScratch<T>(inputs: Uint8Array[], extra: number, fn: (w: Wasm, ptrs: number[], out: number) => T): T {
  const w = wasm();
  const total = inputs.reduce((n, b) => n + b.length, 0) + extra;
  const own = total > SCRATCH_MAX;
  const base = own ? w.alloc(total) : w.scratch(total);
  const u = w.u8();
  const ptrs: number[] = [];
  let off = base;
  for (const b of inputs) {
    u.set(b, off);
    ptrs.push(off);
    off += b.length;
  }
  try {
    return fn(w, ptrs, off);
  } finally {
    w.wipe(base, total);
    if (own) w.free(base);
  }
}

/**
 * X25519(priv, pub): the 32-byte shared secret of RFC 7748 section 6.1.
 * Accepts any 32-byte public key (non-canonical encodings are reduced,
 * the top bit is ignored, twist points are computed like any other) and
 * throws {@link X25519ZeroSharedSecretError} when the result is all zeros.
 */
export function x25519(priv: Uint8Array, pub: Uint8Array): Uint8Array {
  abytes(priv, 'x25519 private key', 32);
  abytes(pub, 'x25519 public key', 32);
  return withScratch([priv, pub], 32, (w, [k, u], out) => {
    if (w.exports.wt_x_x25519(out, k, u) !== 0) throw new X25519ZeroSharedSecretError();
    return w.copyOut(out, 32);
  });
}

/** X25519(priv, 9): the public key for a private key. */
export function x25519PublicKey(priv: Uint8Array): Uint8Array {
  abytes(priv, 'x25519PublicKey private key', 32);
  return withScratch([priv], 32, (w, [k], out) => {
    w.exports.wt_x_x25519_base(out, k);
    return w.copyOut(out, 32);
  });
}

/** The Ed25519 public key of a 32-byte seed (RFC 8032 5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  abytes(seed, 'ed25519PublicKey seed', 32);
  return withScratch([seed], 32, (w, [s], out) => {
    w.exports.wt_x_ed25519_public_key(out, s);
    return w.copyOut(out, 32);
  });
}

/** Ed25519 signature (64 bytes) of msg under the key of seed (RFC 8032
 * 5.1.6). Deterministic: the same seed and message give the same bytes. */
export function ed25519Sign(seed: Uint8Array, msg: Uint8Array): Uint8Array {
  abytes(seed, 'ed25519Sign seed', 32);
  abytes(msg, 'ed25519Sign message');
  return withScratch([seed, msg], 64, (w, [s, m], out) => {
    w.exports.wt_x_ed25519_sign(out, s, m, msg.length);
    return w.copyOut(out, 64);
  });
}

/**
 * An Ed25519 signing key expanded once (secret scalar, nonce prefix and
 * public key, all derived from the seed), for many signatures: each
 * {@link Ed25519SigningKey.sign} then costs one base-point multiplication
 * instead of the two of {@link ed25519Sign}. Same signatures.
 *
 * @example
 * ```ts
 * const key = new Ed25519SigningKey(seed);
 * const sig = key.sign(message);   // === ed25519Sign(seed, message)
 * key.dispose();                    // wipes the expanded key
 * ```
 */
export class Ed25519SigningKey {
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  private key: Uint8Array | undefined;

  constructor(seed: Uint8Array) {
    abytes(seed, 'Ed25519SigningKey seed', 32);
    const size = wasm().exports.wt_ed25519_key_size();
    this.key = withScratch([seed], size, (w, [s], out) => {
      w.exports.wt_x_ed25519_key_from_seed(out, s);
      return w.copyOut(out, size);
    });
    // The public key is the last 32 bytes of the structure.
    this.publicKey = this.key.slice(size - 32);
  }

  /** Signature (64 bytes) of msg; equal to ed25519Sign(seed, msg). */
  sign(msg: Uint8Array): Uint8Array {
    abytes(msg, 'Ed25519SigningKey.sign message');
    const key = this.key;
    if (!key) throw new Error('wasmtls: Ed25519SigningKey used after dispose()');
    return withScratch([key, msg], 64, (w, [k, m], out) => {
      w.exports.wt_x_ed25519_sign_key(out, k, m, msg.length);
      return w.copyOut(out, 64);
    });
  }

  /** Wipe the expanded key; the object cannot sign afterwards. */
  dispose(): void {
    this.key?.fill(0);
    this.key = undefined;
  }
}

/**
 * Ed25519 verification (RFC 8032 5.1.7, cofactorless, strict): true only
 * for a 64-byte signature with S < L whose R is the canonical encoding of
 * [S]B - [k]A, under a public key that decodes canonically. A signature of
 * any other length is simply invalid (false); a public key that is not 32
 * bytes is a caller error (RangeError).
 */
export function ed25519Verify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  abytes(pub, 'ed25519Verify public key', 32);
  abytes(msg, 'ed25519Verify message');
  abytes(sig, 'ed25519Verify signature');
  if (sig.length !== 64) return false;
  return withScratch([pub, sig, msg], 0, (w, [p, s, m]) => w.exports.wt_x_ed25519_verify(p, m, msg.length, s) === 1);
}
