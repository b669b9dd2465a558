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
