/**
 * Memory held in wasm for a JS object (a hash context, a key): wiped and
 * freed by `dispose()`, or at garbage collection if the caller forgot, where
 * the runtime has FinalizationRegistry. workerd has none by default, so
 * there `dispose()` is the only way: code meant for Workers should call it.
 * @module
 */
import type { Wasm } from './loader.js';

interface Held { w: Wasm; p: number; n: number }

const registry: FinalizationRegistry<Held> | undefined =
  /* @__PURE__ */ (() => typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Held>((h) => {
      h.w.wipe(h.p, h.n);
      h.w.free(h.p);
    })
    : undefined)();

/** Free (after wiping) the n bytes at p when owner is collected. */
export function track(owner: object, w: Wasm, p: number, n: number): void {
  registry?.register(owner, { w, p, n }, owner);
}

/** Stop tracking owner (its memory was released explicitly). */
export function untrack(owner: object): void {
  registry?.unregister(owner);
}
