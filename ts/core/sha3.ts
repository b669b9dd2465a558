/**
 * SHA-3 (SHA3-256, SHA3-512) and the SHAKE128 / SHAKE256 extendable-output
 * functions of FIPS 202, computed by the wasm module. Requires the shared
 * module: `await init()` first.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { sha3_256, shake128, Shake } from 'wasmtls/sha3';
 * await init();
 * sha3_256(new TextEncoder().encode('abc'));
 * shake128(seed, 504);                  // 504 bytes of output
 * const x = new Shake('SHAKE256').update(a).update(b);
 * x.squeeze(32); x.squeeze(32);         // one stream: same as squeeze(64)
 * ```
 * @module
 */
import { abytes, aint } from './bytes.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';

/** The SHA-3 hash functions (FIPS 202). */
export type Sha3Name = 'SHA3-256' | 'SHA3-512';
/** The SHAKE extendable-output functions (FIPS 202). */
export type ShakeName = 'SHAKE128' | 'SHAKE256';

const SHA3_BITS: Record<Sha3Name, number> = { 'SHA3-256': 256, 'SHA3-512': 512 };
const SHAKE_BITS: Record<ShakeName, number> = { SHAKE128: 128, SHAKE256: 256 };
// Input and output move through scratch memory in chunks of this size.
const CHUNK = 65536;
// Longest output one call of the one-shot shake functions accepts.
const MAX_OUT = 1 << 30;

function bitsOf<T extends string>(table: Record<T, number>, name: T, what: string): number {
  const b = table[name];
  if (b === undefined) throw new TypeError(`wasmtls: unknown ${what} ${String(name)}; expected ${Object.keys(table).join(' or ')}`);
  return b;
}

function feed(w: Wasm, fn: string, ctx: number, data: Uint8Array): void {
  const upd = w.exports[fn];
  for (let off = 0; off < data.length; off += CHUNK) {
    const part = data.subarray(off, Math.min(data.length, off + CHUNK));
    const p = w.scratch(part.length);
    w.u8().set(part, p);
    upd(ctx, p, part.length);
  }
}

abstract class KeccakCtx {
  protected readonly w: Wasm;
  protected ptr: number;
  private readonly size: number;

  protected constructor() {
    this.w = wasm();
    this.size = this.w.exports.wt_keccak_ctx_size();
    this.ptr = this.w.alloc(this.size);
    track(this, this.w, this.ptr, this.size);
  }

  protected live(): number {
    if (this.ptr === 0) throw new Error('wasmtls: context used after dispose()');
    return this.ptr;
  }

  // Contexts hold no pointers: a byte copy is a full clone.
  protected copyInto<T extends KeccakCtx>(other: T): T {
    this.w.u8().copyWithin(other.ptr, this.live(), this.live() + this.size);
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

/** Incremental SHA3-256 / SHA3-512; `digest()` leaves the state intact. */
export class Sha3 extends KeccakCtx {
  /** The function. */
  readonly name: Sha3Name;
  /** Digest length in bytes. */
  readonly outputLen: number;

  constructor(name: Sha3Name) {
    const bits = bitsOf(SHA3_BITS, name, 'SHA-3 function');
    super();
    this.name = name;
    this.outputLen = bits / 8;
    this.w.exports.wt_x_sha3_init(this.ptr, bits);
  }

  /** Absorb `data`. */
  update(data: Uint8Array): this {
    abytes(data, 'Sha3.update');
    feed(this.w, 'wt_x_sha3_update', this.live(), data);
    return this;
  }

  /** The digest of what was absorbed so far; the state is left intact. */
  digest(): Uint8Array {
    const out = this.w.scratch(64);
    this.w.exports.wt_x_sha3_out(this.live(), out);
    return this.w.copyOut(out, this.outputLen);
  }

  /** An independent copy of the state. */
  clone(): Sha3 {
    return this.copyInto(new Sha3(this.name));
  }
}

/** Incremental SHAKE: `update()` while absorbing, then any number of
 * `squeeze(n)` calls reading one output stream. */
export class Shake extends KeccakCtx {
  /** The function. */
  readonly name: ShakeName;

  constructor(name: ShakeName) {
    const bits = bitsOf(SHAKE_BITS, name, 'SHAKE function');
    super();
    this.name = name;
    this.w.exports.wt_x_shake_init(this.ptr, bits);
  }

  /** Absorb more input; throws once squeezing has begun. */
  update(data: Uint8Array): this {
    abytes(data, 'Shake.update');
    const absorb = this.w.exports.wt_x_shake_absorb;
    const ctx = this.live();
    for (let off = 0; off < data.length || off === 0; off += CHUNK) {
      const part = data.subarray(off, Math.min(data.length, off + CHUNK));
      const p = this.w.scratch(part.length);
      this.w.u8().set(part, p);
      if (absorb(ctx, p, part.length) !== 0) throw new Error('Shake.update: input is fixed once squeeze() was called');
      if (data.length === 0) break;
    }
    return this;
  }

  /** The next `length` bytes of output. */
  squeeze(length: number): Uint8Array {
    aint(length, 'Shake.squeeze length', 0, MAX_OUT);
    const out = new Uint8Array(length);
    const ctx = this.live();
    for (let off = 0; off < length; off += CHUNK) {
      const n = Math.min(CHUNK, length - off);
      const p = this.w.scratch(n);
      this.w.exports.wt_x_shake_squeeze(ctx, p, n);
      out.set(this.w.u8().subarray(p, p + n), off);
    }
    return out;
  }

  /** An independent copy of the state (absorbing or squeezing). */
  clone(): Shake {
    return this.copyInto(new Shake(this.name));
  }
}

function oneShot(name: Sha3Name, data: Uint8Array): Uint8Array {
  const bits = bitsOf(SHA3_BITS, name, 'SHA-3 function');
  abytes(data, `${name} data`);
  const w = wasm();
  if (data.length <= CHUNK) {
    const p = w.scratch(64 + data.length);
    w.u8().set(data, p + 64);
    w.exports.wt_x_sha3(bits, p + 64, data.length, p);
    return w.copyOut(p, bits / 8);
  }
  const h = new Sha3(name);
  try {
    return h.update(data).digest();
  } finally {
    h.dispose();
  }
}

function shakeOneShot(name: ShakeName, data: Uint8Array, outputLength: number): Uint8Array {
  const bits = bitsOf(SHAKE_BITS, name, 'SHAKE function');
  abytes(data, `${name} data`);
  aint(outputLength, `${name} outputLength`, 0, MAX_OUT);
  if (data.length + outputLength > CHUNK) {
    const x = new Shake(name);
    try {
      return x.update(data).squeeze(outputLength);
    } finally {
      x.dispose();
    }
  }
  const w = wasm();
  const p = w.scratch(outputLength + data.length);
  w.u8().set(data, p + outputLength);
  w.exports.wt_x_shake(bits, p, outputLength, p + outputLength, data.length);
  return w.copyOut(p, outputLength);
}

/** SHA3-256 (FIPS 202 6.1): 32-byte digest. */
export function sha3_256(data: Uint8Array): Uint8Array {
  return oneShot('SHA3-256', data);
}

/** SHA3-512 (FIPS 202 6.1): 64-byte digest. */
export function sha3_512(data: Uint8Array): Uint8Array {
  return oneShot('SHA3-512', data);
}

/** SHAKE128 (FIPS 202 6.2): `outputLength` bytes of output. */
export function shake128(data: Uint8Array, outputLength: number): Uint8Array {
  return shakeOneShot('SHAKE128', data, outputLength);
}

/** SHAKE256 (FIPS 202 6.2): `outputLength` bytes of output. */
export function shake256(data: Uint8Array, outputLength: number): Uint8Array {
  return shakeOneShot('SHAKE256', data, outputLength);
}
