/**
 * RSA signatures for TLS (RFC 8017): RSASSA-PKCS1-v1_5 and RSASSA-PSS
 * (MGF1 with the message hash, salt as long as the digest, as TLS 1.3 uses
 * it: RFC 8446 section 4.2.3) over SHA-256/384/512, with keys parsed from
 * PKCS #1, SubjectPublicKeyInfo or PKCS #8 DER, or PEM. Computed by the
 * wasm module: `await init()` first.
 *
 * Moduli of 2048 to 4096 bits are accepted; anything smaller is refused
 * when the key is parsed. Signing is constant-time in the private key,
 * blinded, and checks its own signature before returning it.
 *
 * Keys live in wasm memory: call `dispose()` when done (a private key is
 * wiped there); keys dropped without it are wiped and freed at garbage
 * collection.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { rsaParsePrivateKey, rsaParsePublicKey, rsaSign, rsaVerify } from 'wasmtls/rsa';
 * await init();
 * const priv = rsaParsePrivateKey(pemText);           // "PRIVATE KEY" or "RSA PRIVATE KEY"
 * const sig = rsaSign(priv, 'pss', 'SHA-256', msg);
 * const pub = rsaParsePublicKey(spkiDer);
 * rsaVerify(pub, 'pss', 'SHA-256', msg, sig);         // true
 * priv.dispose();
 * ```
 * @module
 */
import { abytes, aint } from './bytes.js';
import type { HashName } from './hash.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';
import { PEM_ERRORS } from './pem.js';

/** `'pkcs1'`: RSASSA-PKCS1-v1_5; `'pss'`: RSASSA-PSS with MGF1. */
export type RsaScheme = 'pkcs1' | 'pss';

// Ids shared with crypto-src/inc/wt_hash.h and wt_rsa.h.
const HASH_IDS: Record<HashName, number> = { 'SHA-256': 1, 'SHA-384': 2, 'SHA-512': 3 };
const SCHEME_IDS: Record<RsaScheme, number> = { pkcs1: 1, pss: 2 };
const MAX_SIG = 512;

// Error codes of crypto-src/inc/wt_der.h, wt_pem.h and wt_rsa.h.
const MESSAGES: Record<number, string> = {
  [-1]: 'malformed DER: truncated (a length runs past the end of its element)',
  [-2]: 'malformed DER: non-minimal or reserved length encoding',
  [-3]: 'malformed DER: indefinite length (BER, not DER)',
  [-4]: 'malformed DER: unexpected tag',
  [-5]: 'malformed DER: empty or non-minimal INTEGER',
  [-6]: 'malformed DER: negative INTEGER',
  [-7]: 'malformed DER: INTEGER out of range',
  [-8]: 'malformed DER: bad BIT STRING',
  [-9]: 'malformed DER: bad OBJECT IDENTIFIER',
  [-10]: 'malformed DER: NULL with contents',
  [-11]: 'malformed DER: bad BOOLEAN',
  [-12]: 'malformed DER: trailing bytes after the structure',
  ...PEM_ERRORS,
  [-30]: 'not an RSA key: the algorithm is not rsaEncryption (1.2.840.113549.1.1.1)',
  [-31]: 'unsupported RSA key size: the modulus must have 2048 to 4096 bits',
  [-32]: 'invalid RSA key: inconsistent or out-of-range values',
  [-33]: 'unsupported RSA key version (multi-prime keys are not supported)',
  [-34]: 'PEM label is not an RSA key of the expected kind',
  [-35]: 'unsupported hash',
  [-36]: 'signature buffer too small',
  [-37]: 'RSA signing failed its own verification (corrupted key or fault); nothing was released',
  [-38]: 'PSS salt too long for this modulus',
};

/** An error from the wasm RSA code, with its numeric `code`. */
export class RsaError extends Error {
  /** The engine's RSA error code (the message says which). */
  readonly code: number;
  constructor(code: number, context: string) {
    super(`${context}: ${MESSAGES[code] ?? `error ${code}`}`);
    this.name = 'RsaError';
    this.code = code;
  }
}

abstract class RsaKey {
  /** @internal */
  protected readonly w: Wasm;
  /** @internal */
  protected ptr: number;
  private readonly structSize: number;

  protected constructor(w: Wasm, size: number) {
    this.w = w;
    this.structSize = size;
    this.ptr = w.alloc(size);
    track(this, w, this.ptr, size);
  }

  /** @internal The key struct's address; throws after dispose(). */
  handle(): number {
    if (this.ptr === 0) throw new Error('wasmtls: RSA key used after dispose()');
    return this.ptr;
  }

  /** Wipe and free the key now rather than at garbage collection. */
  dispose(): void {
    if (this.ptr === 0) return;
    untrack(this);
    this.w.wipe(this.ptr, this.structSize);
    this.w.free(this.ptr);
    this.ptr = 0;
  }
}

/** An RSA public key in wasm memory. */
export class RsaPublicKey extends RsaKey {
  /** Modulus length in bits. */
  readonly bits: number;

  /** @internal Use {@link rsaParsePublicKey}. */
  constructor(w: Wasm, fill: (ptr: number) => void) {
    super(w, w.exports.wt_rsa_public_key_size());
    try {
      fill(this.ptr);
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.bits = w.exports.wt_x_rsa_public_bits(this.ptr);
  }

  /** Signature (and modulus) length in bytes. */
  get size(): number {
    return (this.bits + 7) >> 3;
  }
}

/** An RSA private key (two-prime CRT form) in wasm memory. */
export class RsaPrivateKey extends RsaKey {
  /** Modulus length in bits. */
  readonly bits: number;

  /** @internal Use {@link rsaParsePrivateKey}. */
  constructor(w: Wasm, fill: (ptr: number) => void) {
    super(w, w.exports.wt_rsa_private_key_size());
    try {
      fill(this.ptr);
    } catch (e) {
      this.dispose();
      throw e;
    }
    // The public half opens the private struct.
    this.bits = w.exports.wt_x_rsa_public_bits(this.ptr);
  }

  /** Signature (and modulus) length in bytes. */
  get size(): number {
    return (this.bits + 7) >> 3;
  }

  /** A new public key object for this key's public half. */
  publicKey(): RsaPublicKey {
    const priv = this.handle();
    return new RsaPublicKey(this.w, (p) => this.w.exports.wt_x_rsa_public_of_private(p, priv));
  }
}

const latin1 = (s: string): Uint8Array => {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // PEM is ASCII; anything else cannot be valid and is mapped to a byte
    // the decoder refuses.
    b[i] = c < 0x80 ? c : 0xff;
  }
  return b;
};

// DER always opens with a SEQUENCE (0x30); PEM text never does.
function asInput(input: Uint8Array | string, title: string): { bytes: Uint8Array; pem: number } {
  if (typeof input === 'string') return { bytes: latin1(input), pem: 1 };
  abytes(input, title);
  return { bytes: input, pem: input.length > 0 && input[0] === 0x30 ? 0 : 1 };
}

function parseInto(w: Wasm, fn: string, ptr: number, input: Uint8Array | string, title: string): void {
  const { bytes, pem } = asInput(input, title);
  const p = w.copyIn(bytes);
  try {
    const r = w.exports[fn](ptr, p, bytes.length, pem);
    if (r !== 0) throw new RsaError(r, title);
  } finally {
    // A private key's DER or PEM is secret: wipe our copy.
    w.wipe(p, bytes.length);
    w.free(p);
  }
}

/**
 * Parse an RSA public key: DER (`RSAPublicKey` of PKCS #1, or
 * `SubjectPublicKeyInfo` with rsaEncryption) or PEM (`RSA PUBLIC KEY`,
 * `PUBLIC KEY`), as bytes or a string. Throws {@link RsaError} on malformed
 * input, another algorithm, or a modulus outside 2048..4096 bits.
 */
export function rsaParsePublicKey(input: Uint8Array | string): RsaPublicKey {
  const w = wasm();
  return new RsaPublicKey(w, (ptr) => parseInto(w, 'wt_x_rsa_public_parse', ptr, input, 'rsaParsePublicKey'));
}

/**
 * Parse an RSA private key: DER (`RSAPrivateKey` of PKCS #1, or PKCS #8
 * `PrivateKeyInfo` with rsaEncryption) or PEM (`RSA PRIVATE KEY`,
 * `PRIVATE KEY`; encrypted PEM is not supported). The key's consistency
 * (n = p q, reduced CRT values) is checked. Throws {@link RsaError}.
 */
export function rsaParsePrivateKey(input: Uint8Array | string): RsaPrivateKey {
  const w = wasm();
  return new RsaPrivateKey(w, (ptr) => parseInto(w, 'wt_x_rsa_private_parse', ptr, input, 'rsaParsePrivateKey'));
}

function ids(scheme: RsaScheme, hash: HashName, title: string): [number, number] {
  const s = SCHEME_IDS[scheme];
  if (s === undefined) throw new TypeError(`${title}: unknown scheme ${String(scheme)}; expected 'pkcs1' or 'pss'`);
  const h = HASH_IDS[hash];
  if (h === undefined) throw new TypeError(`${title}: unknown hash ${String(hash)}; expected SHA-256, SHA-384 or SHA-512`);
  return [s, h];
}

/** Options of {@link rsaVerify} and {@link rsaSign}. */
export interface RsaOptions {
  /** PSS salt length in bytes; default: the digest length (TLS 1.3). */
  saltLength?: number;
}

/**
 * Verify `sig` over `msg` (hashed here with `hash`). PKCS #1 v1.5 accepts
 * only the exact encoding (DigestInfo with NULL parameters); PSS uses MGF1
 * with the same hash and, unless told otherwise, a salt as long as the
 * digest. Returns false for any invalid signature, including one of the
 * wrong length.
 */
export function rsaVerify(
  key: RsaPublicKey | RsaPrivateKey,
  scheme: RsaScheme,
  hash: HashName,
  msg: Uint8Array,
  sig: Uint8Array,
  opts: RsaOptions = {},
): boolean {
  const [s, h] = ids(scheme, hash, 'rsaVerify');
  if (!(key instanceof RsaPublicKey) && !(key instanceof RsaPrivateKey)) {
    throw new TypeError('rsaVerify: expected an RsaPublicKey or RsaPrivateKey');
  }
  abytes(msg, 'rsaVerify msg');
  abytes(sig, 'rsaVerify sig');
  const salt = opts.saltLength === undefined ? -1 : aint(opts.saltLength, 'rsaVerify saltLength', 0, MAX_SIG);
  const w = wasm();
  const k = key.handle();
  const m = w.copyIn(msg);
  const sp = w.copyIn(sig);
  try {
    const r = w.exports.wt_x_rsa_verify(k, s, h, salt, m, msg.length, sp, sig.length);
    if (r < 0) throw new RsaError(r, 'rsaVerify');
    return r === 1;
  } finally {
    w.free(m);
    w.free(sp);
  }
}

/**
 * Sign `msg` (hashed here with `hash`). PKCS #1 v1.5 signatures are
 * deterministic; PSS draws a random salt (the digest length unless
 * `saltLength` says otherwise). Returns a signature of `key.size` bytes.
 */
export function rsaSign(key: RsaPrivateKey, scheme: RsaScheme, hash: HashName, msg: Uint8Array, opts: RsaOptions = {}): Uint8Array {
  const [s, h] = ids(scheme, hash, 'rsaSign');
  if (!(key instanceof RsaPrivateKey)) throw new TypeError('rsaSign: expected an RsaPrivateKey');
  abytes(msg, 'rsaSign msg');
  const salt = opts.saltLength === undefined ? -1 : aint(opts.saltLength, 'rsaSign saltLength', 0, MAX_SIG);
  const w = wasm();
  const k = key.handle();
  const m = w.copyIn(msg);
  const out = w.alloc(MAX_SIG);
  try {
    const r = w.exports.wt_x_rsa_sign(k, s, h, salt, m, msg.length, out, MAX_SIG);
    if (r < 0) throw new RsaError(r, 'rsaSign');
    return w.copyOut(out, r);
  } finally {
    w.free(m);
    w.free(out);
  }
}
