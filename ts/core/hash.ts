/**
 * SHA-2 (FIPS 180-4), HMAC (RFC 2104), HKDF (RFC 5869) and the TLS 1.3
 * `HKDF-Expand-Label` / `Derive-Secret` (RFC 8446 section 7.1), computed by
 * the wasm module. Requires the shared module: `await init()` first.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { digest, Hash, hmac, hkdf } from 'wasmtls/hash';
 * await init();
 * digest('SHA-256', new TextEncoder().encode('abc'));
 * const h = new Hash('SHA-384').update(a);
 * const fork = h.clone();        // transcript hash copied mid-stream
 * ```
 * @module
 */
import { abytes, aint } from './bytes.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';

/** The SHA-2 functions (FIPS 180-4). */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

// Ids shared with crypto-src/inc/wt_hash.h.
const IDS: Record<HashName, number> = { 'SHA-256': 1, 'SHA-384': 2, 'SHA-512': 3 };
const LENS: Record<HashName, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
// Input is copied into wasm memory through scratch in chunks of this size.
const CHUNK = 65536;

function hashId(name: HashName): number {
  const id = IDS[name];
  if (id === undefined) throw new TypeError(`wasmtls: unknown hash ${String(name)}; expected SHA-256, SHA-384 or SHA-512`);
  return id;
}

/** Output length in bytes of a hash. */
export function hashLength(name: HashName): number {
  hashId(name);
  return LENS[name];
}

// Feed data to an update export through scratch memory, chunk by chunk.
function feed(w: Wasm, fn: string, ctx: number, data: Uint8Array): void {
  const upd = w.exports[fn];
  for (let off = 0; off < data.length || off === 0; off += CHUNK) {
    const part = data.subarray(off, Math.min(data.length, off + CHUNK));
    const p = w.scratch(part.length);
    w.u8().set(part, p);
    upd(ctx, p, part.length);
    if (data.length === 0) break;
  }
}

abstract class Ctx {
  protected readonly w: Wasm;
  protected ptr: number;
  /** The hash function. */
  readonly name: HashName;
  /** Digest length in bytes. */
  readonly outputLen: number;
  private readonly size: number;

  protected constructor(name: HashName, size: number) {
    this.w = wasm();
    this.name = name;
    this.outputLen = hashLength(name);
    this.size = size;
    this.ptr = this.w.alloc(size);
    track(this, this.w, this.ptr, size);
  }

  protected live(): number {
    if (this.ptr === 0) throw new Error('wasmtls: context used after dispose()');
    return this.ptr;
  }

  /** Copy the state into a new context (contexts hold no pointers). */
  protected copyInto<T extends Ctx>(other: T): T {
    const u = this.w.u8();
    u.copyWithin(other.ptr, this.live(), this.live() + this.size);
    return other;
  }

  /** Wipe and free the context now rather than at garbage collection. */
  dispose(): void {
    if (this.ptr === 0) return;
    untrack(this);
    this.w.wipe(this.ptr, this.size);
    this.w.free(this.ptr);
    this.ptr = 0;
  }
}

/** Incremental hash; `digest()` leaves the state intact so hashing may go on. */
export class Hash extends Ctx {
  constructor(name: HashName) {
    super(name, wasm().exports.wt_hash_ctx_size());
    this.w.exports.wt_x_hash_init(this.ptr, hashId(name));
  }

  /** Absorb `data`. */
  update(data: Uint8Array): this {
    abytes(data, 'Hash.update');
    feed(this.w, 'wt_x_hash_update', this.live(), data);
    return this;
  }

  /** The digest of what was absorbed so far; the state is left intact (absorbing may go on). */
  digest(): Uint8Array {
    const out = this.w.scratch(64);
    this.w.exports.wt_x_hash_out(this.live(), out);
    return this.w.copyOut(out, this.outputLen);
  }

  /** An independent copy of the state (a transcript hash forked mid-stream). */
  clone(): Hash {
    return this.copyInto(new Hash(this.name));
  }
}

// Marks the private construction used by Hmac.clone (state copied, not keyed).
const CLONE = /* @__PURE__ */ new Uint8Array(0);

/** Incremental HMAC; `digest()` leaves the state intact. */
export class Hmac extends Ctx {
  constructor(name: HashName, key: Uint8Array) {
    abytes(key, 'Hmac key');
    super(name, wasm().exports.wt_hmac_ctx_size());
    if (key === CLONE) return;
    const k = this.w.copyIn(key);
    this.w.exports.wt_x_hmac_init(this.ptr, hashId(name), k, key.length);
    this.w.wipe(k, key.length);
    this.w.free(k);
  }

  /** Absorb `data`. */
  update(data: Uint8Array): this {
    abytes(data, 'Hmac.update');
    feed(this.w, 'wt_x_hmac_update', this.live(), data);
    return this;
  }

  /** The digest of what was absorbed so far; the state is left intact (absorbing may go on). */
  digest(): Uint8Array {
    const out = this.w.scratch(64);
    this.w.exports.wt_x_hmac_out(this.live(), out);
    return this.w.copyOut(out, this.outputLen);
  }

  /** An independent copy of the state. */
  clone(): Hmac {
    return this.copyInto(new Hmac(this.name, CLONE));
  }
}

// Run fn with each input copied into wasm memory; secrets wiped afterwards.
function withInputs<T>(inputs: Uint8Array[], fn: (w: Wasm, ptrs: number[]) => T): T {
  const w = wasm();
  const ptrs = inputs.map((b) => w.copyIn(b));
  try {
    return fn(w, ptrs);
  } finally {
    ptrs.forEach((p, i) => {
      w.wipe(p, inputs[i].length);
      w.free(p);
    });
  }
}

/** One-shot hash. */
export function digest(name: HashName, data: Uint8Array): Uint8Array {
  const id = hashId(name);
  abytes(data, 'digest data');
  const w = wasm();
  if (data.length <= CHUNK) {
    // Fast path for short inputs: one scratch region holds input and output.
    const p = w.scratch(data.length + 64);
    w.u8().set(data, p + 64);
    w.exports.wt_x_hash(id, p + 64, data.length, p);
    return w.copyOut(p, LENS[name]);
  }
  const h = new Hash(name);
  try {
    return h.update(data).digest();
  } finally {
    h.dispose();
  }
}

/** One-shot HMAC. */
export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  const id = hashId(name);
  abytes(key, 'hmac key');
  abytes(data, 'hmac data');
  if (data.length > CHUNK) {
    const h = new Hmac(name, key);
    try {
      return h.update(data).digest();
    } finally {
      h.dispose();
    }
  }
  const w = wasm();
  const p = w.scratch(64 + key.length + data.length);
  const u = w.u8();
  u.set(key, p + 64);
  u.set(data, p + 64 + key.length);
  w.exports.wt_x_hmac(id, p + 64, key.length, p + 64 + key.length, data.length, p);
  const out = w.copyOut(p, LENS[name]);
  w.wipe(p, 64 + key.length);
  return out;
}

/** HKDF-Extract(salt, IKM) = PRK (RFC 5869 2.2). An empty salt means
 * HashLen zero bytes. */
export function hkdfExtract(name: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  const id = hashId(name);
  abytes(salt, 'hkdfExtract salt');
  abytes(ikm, 'hkdfExtract ikm');
  return withInputs([salt, ikm, new Uint8Array(64)], (w, [s, i, out]) => {
    w.exports.wt_x_hkdf_extract(id, s, salt.length, i, ikm.length, out);
    return w.copyOut(out, LENS[name]);
  });
}

/** HKDF-Expand(PRK, info, L) (RFC 5869 2.3); L at most 255 * HashLen. */
export function hkdfExpand(name: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const id = hashId(name);
  abytes(prk, 'hkdfExpand prk');
  abytes(info, 'hkdfExpand info');
  aint(length, 'hkdfExpand length', 0, 255 * LENS[name]);
  return withInputs([prk, info, new Uint8Array(length)], (w, [p, i, out]) => {
    if (w.exports.wt_x_hkdf_expand(id, p, prk.length, i, info.length, out, length) !== 0) {
      throw new RangeError('hkdfExpand: length exceeds 255 * HashLen');
    }
    return w.copyOut(out, length);
  });
}

/** HKDF (RFC 5869): Expand(Extract(salt, ikm), info, length). */
export function hkdf(name: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = hkdfExtract(name, salt, ikm);
  try {
    return hkdfExpand(name, prk, info, length);
  } finally {
    prk.fill(0);
  }
}

const utf8 = /* @__PURE__ */ new TextEncoder();

/** TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1); `label` without "tls13 ". */
export function hkdfExpandLabel(name: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const id = hashId(name);
  abytes(secret, 'hkdfExpandLabel secret');
  abytes(context, 'hkdfExpandLabel context');
  const l = utf8.encode(label);
  aint(l.length, 'hkdfExpandLabel label length', 0, 249);
  aint(context.length, 'hkdfExpandLabel context length', 0, 255);
  aint(length, 'hkdfExpandLabel length', 0, Math.min(0xffff, 255 * LENS[name]));
  return withInputs([secret, l, context, new Uint8Array(length)], (w, [s, lp, c, out]) => {
    if (w.exports.wt_x_hkdf_expand_label(id, s, secret.length, lp, l.length, c, context.length, out, length) !== 0) {
      throw new RangeError('hkdfExpandLabel: a length does not fit its field');
    }
    return w.copyOut(out, length);
  });
}

/** TLS 1.3 Derive-Secret(Secret, Label, Messages), given
 * Transcript-Hash(Messages) (RFC 8446 7.1). */
export function deriveSecret(name: HashName, secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
  const id = hashId(name);
  abytes(secret, 'deriveSecret secret', LENS[name]);
  abytes(transcriptHash, 'deriveSecret transcriptHash', LENS[name]);
  const l = utf8.encode(label);
  aint(l.length, 'deriveSecret label length', 0, 249);
  return withInputs([secret, l, transcriptHash, new Uint8Array(64)], (w, [s, lp, th, out]) => {
    w.exports.wt_x_derive_secret(id, s, lp, l.length, th, out);
    return w.copyOut(out, LENS[name]);
  });
}
