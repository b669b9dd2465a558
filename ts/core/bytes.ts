/** Argument checks at the API edge (after noble's `abytes`). @module */

/** Throw a TypeError unless `value` is a Uint8Array (of `length`, if given). */
export function abytes(value: unknown, title: string, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${title}: expected Uint8Array, got ${value === null ? 'null' : typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${title}: expected Uint8Array of length ${length}, got length=${value.length}`);
  }
  return value;
}

/** Throw a RangeError unless n is an integer in [min, max]. */
export function aint(n: unknown, title: string, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`${title}: expected an integer in [${min}, ${max}], got ${String(n)}`);
  }
  return n;
}

const utf8 = /* @__PURE__ */ new TextDecoder();

/** The NUL-terminated string at `p` of wasm memory `u` (the engine's
 * reason, label and name tables), decoded as UTF-8 (they are ASCII). */
export function cString(u: Uint8Array, p: number): string {
  // A pointer is an i32 result: at or above 2 GiB it reads as negative.
  p >>>= 0;
  let e = p;
  while (e < u.length && u[e] !== 0) e++;
  return utf8.decode(u.subarray(p, e));
}

/** The little-endian u32 at `p` of `u` (a size_t result slot in wasm32). */
export function u32le(u: Uint8Array, p: number): number {
  return (u[p] | (u[p + 1] << 8) | (u[p + 2] << 16) | (u[p + 3] << 24)) >>> 0;
}
