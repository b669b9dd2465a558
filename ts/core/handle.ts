/**
 * Memory held in wasm for a JS object (a hash context, a key): wiped and
 * freed by `dispose()`, or at garbage collection if the caller forgot, where
 * the runtime has FinalizationRegistry. workerd has none by default, so
 * there `dispose()` is the only way: code meant for Workers should call it.
 * @module
 */
import type { Wasm } from './loader.js';

/** `before`: a last call on p before it is wiped and freed (a connection
 * frees what the engine allocated for it). */
interface Held {
  w: Wasm;
  p: number;
  n: number;
  before?: (p: number) => void;
}

const registry: FinalizationRegistry<Held> | undefined = /* @__PURE__ */ (() =>
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Held>((h) => {
        h.before?.(h.p);
        h.w.wipe(h.p, h.n);
        h.w.free(h.p);
      })
    : undefined)();

/** Free (after wiping) the n bytes at p when owner is collected; `before`
 * (which must not hold owner) is called on p first. */
export function track(owner: object, w: Wasm, p: number, n: number, before?: (p: number) => void): void {
  registry?.register(owner, { w, p, n, before }, owner);
}

/** Stop tracking owner (its memory was released explicitly). */
export function untrack(owner: object): void {
  registry?.unregister(owner);
}
