/**
 * Authenticated encryption with associated data, computed by the wasm
 * module: ChaCha20-Poly1305 (RFC 8439 section 2.8) and AES-GCM (NIST
 * SP 800-38D), the AEADs of TLS 1.3 (RFC 8446 section 5.2). Requires the
 * shared module: `await init()` first.
 *
 * The key schedule runs once per {@link Aead}; the key then lives only in
 * wasm memory and is wiped by `dispose()` (or at garbage collection).
 * Sealed output is `ciphertext || tag` (16-byte tag).
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { Aead, AeadError } from 'wasmtls/aead';
 * await init();
 * const a = new Aead('CHACHA20-POLY1305', key);       // key: 32 bytes (AES-128-GCM: 16)
 * const sealed = a.seal(nonce, plaintext, aad);        // nonce: 12 bytes
 * try { a.open(nonce, sealed, aad); } catch (e) { if (e instanceof AeadError) ... }
 * a.dispose();
 * ```
 * @module
 */
import { abytes } from './bytes.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';

/** The TLS 1.3 AEADs, plus AES-192-GCM (no TLS 1.3 suite uses it). */
export type AeadName = 'AES-128-GCM' | 'AES-192-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';

// Ids shared with crypto-src/inc/wt_aead.h.
const IDS: Record<AeadName, number> = {
  'AES-128-GCM': 1,
  'AES-256-GCM': 2,
  'CHACHA20-POLY1305': 3,
  'AES-192-GCM': 4,
};
const KEY_LENS: Record<AeadName, number> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'CHACHA20-POLY1305': 32,
  'AES-192-GCM': 24,
};
const TAG = 16;
// Result codes of wt_aead.h.
const ERR_ARG = -1;
const ERR_TAG = -2;

/** Authentication failed: the tag does not match the key, nonce, AAD and
 * ciphertext. No plaintext is released. */
export class AeadError extends Error {
  /** Always `'tag mismatch'` for now (room for more without a new class). */
  readonly code: 'tag mismatch';
  constructor() {
    super('tag mismatch');
    this.name = 'AeadError';
    this.code = 'tag mismatch';
  }
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);

// Copy a result out of linear memory into `dest` (a caller's buffer,
// checked by the caller) or a new array. Allocating that array costs V8
// about as much as sealing 1 KiB does, which is why `dest` exists; new +
// set measured some 30% cheaper than TypedArray.prototype.slice.
function copyOut(w: Wasm, ptr: number, len: number, dest: Uint8Array | undefined): Uint8Array {
  const out = dest ? dest.subarray(0, len) : new Uint8Array(len);
  out.set(w.u8().subarray(ptr, ptr + len));
  return out;
}

function checkDest(dest: Uint8Array | undefined, len: number, title: string): void {
  if (dest === undefined) return;
  abytes(dest, title);
  if (dest.length < len) throw new RangeError(`${title}: expected at least ${len} bytes, got length=${dest.length}`);
}

/**
 * One key of one AEAD algorithm. `seal` and `open` each copy the inputs
 * into wasm memory once and the result out once.
 */
export class Aead {
  /** The algorithm this key is for. */
  readonly algorithm: AeadName;
  /** Key length in bytes. */
  readonly keyLength: number;
  /** Tag length in bytes (16), appended by seal and expected by open. */
  readonly tagLength = TAG;
  private readonly w: Wasm;
  private ptr: number;
  private readonly size: number;

  /** @throws TypeError for an unknown algorithm or a non-Uint8Array key,
   * RangeError for a key of the wrong length. */
  constructor(algorithm: AeadName, key: Uint8Array) {
    const id = IDS[algorithm];
    if (id === undefined) {
      throw new TypeError(`wasmtls: unknown AEAD ${String(algorithm)}; expected ${Object.keys(IDS).join(', ')}`);
    }
    abytes(key, `Aead ${algorithm} key`, KEY_LENS[algorithm]);
    this.w = wasm();
    this.algorithm = algorithm;
    this.keyLength = KEY_LENS[algorithm];
    this.size = this.w.exports.wt_aead_ctx_size();
    this.ptr = this.w.alloc(this.size);
    const k = this.w.scratch(key.length);
    this.w.u8().set(key, k);
    const r = this.w.exports.wt_x_aead_init(this.ptr, id, k, key.length);
    this.w.wipe(k, key.length);
    if (r !== 0) {
      this.w.wipe(this.ptr, this.size);
      this.w.free(this.ptr);
      this.ptr = 0;
      throw new RangeError(`wasmtls: ${algorithm} is not available in this build`);
    }
    track(this, this.w, this.ptr, this.size);
  }

  private live(): number {
    if (this.ptr === 0) throw new Error('wasmtls: Aead used after dispose()');
    return this.ptr;
  }

  /** Encrypt and authenticate; returns `ciphertext || tag`.
   * @param output optional destination of at least `plaintext.length + 16`
   * bytes: the result is written there and returned as a view of it, with
   * no allocation (hot loops reuse one buffer).
   * @throws RangeError for a nonce length the algorithm does not take
   * (12 bytes for ChaCha20-Poly1305; GCM takes any non-empty IV). */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY, output?: Uint8Array): Uint8Array {
    abytes(nonce, 'Aead.seal nonce');
    abytes(plaintext, 'Aead.seal plaintext');
    abytes(aad, 'Aead.seal aad');
    checkDest(output, plaintext.length + TAG, 'Aead.seal output');
    const ctx = this.live();
    const w = this.w;
    // Scratch layout: nonce | aad | data | tag; sealed in place.
    const nl = nonce.length,
      al = aad.length,
      n = plaintext.length;
    const base = w.scratch(nl + al + n + TAG);
    const pa = base + nl,
      pd = pa + al;
    const u = w.u8();
    u.set(nonce, base);
    u.set(aad, pa);
    u.set(plaintext, pd);
    const r = w.exports.wt_x_aead_seal(ctx, base, nl, pa, al, pd, n, pd);
    if (r !== 0) {
      w.wipe(pd, n);
      throw new RangeError(`wasmtls: ${this.algorithm} seal: bad nonce length ${nl} or input too long`);
    }
    // Plaintext was overwritten by ciphertext in place: nothing to wipe.
    return copyOut(w, pd, n + TAG, output);
  }

  /** Verify and decrypt `ciphertext || tag`; returns the plaintext.
   * @param output optional destination of at least `sealed.length - 16`
   * bytes, as for {@link Aead.seal}; left untouched when authentication
   * fails.
   * @throws AeadError when authentication fails (nothing is released),
   * RangeError for a bad nonce length or a `sealed` shorter than the tag. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY, output?: Uint8Array): Uint8Array {
    abytes(nonce, 'Aead.open nonce');
    abytes(sealed, 'Aead.open sealed');
    abytes(aad, 'Aead.open aad');
    if (sealed.length < TAG) {
      throw new RangeError(`Aead.open sealed: expected at least ${TAG} bytes (the tag), got length=${sealed.length}`);
    }
    checkDest(output, sealed.length - TAG, 'Aead.open output');
    const ctx = this.live();
    const w = this.w;
    const nl = nonce.length,
      al = aad.length,
      n = sealed.length;
    const base = w.scratch(nl + al + n);
    const pa = base + nl,
      pd = pa + al;
    const u = w.u8();
    u.set(nonce, base);
    u.set(aad, pa);
    u.set(sealed, pd);
    const r = w.exports.wt_x_aead_open(ctx, base, nl, pa, al, pd, n, pd);
    if (r === ERR_TAG) throw new AeadError(); // C zeroed the output already
    if (r === ERR_ARG) throw new RangeError(`wasmtls: ${this.algorithm} open: bad nonce length ${nl}`);
    const out = copyOut(w, pd, n - TAG, output);
    w.wipe(pd, n - TAG); // the plaintext must not linger in scratch
    return out;
  }

  /** Wipe the key schedule and free it now rather than at garbage
   * collection. Idempotent. */
  dispose(): void {
    if (this.ptr === 0) return;
    untrack(this);
    this.w.wipe(this.ptr, this.size);
    this.w.free(this.ptr);
    this.ptr = 0;
  }
}
