/**
 * The module's import list is exactly what ts/core/loader.ts implements:
 * a new import (WASI from a libc call, an undeclared emscripten helper)
 * would fail at instantiation in some runtime, so it fails here first.
 */
import { describe, expect, it } from 'vitest';
import { BUILDS, wasmBytes } from './helpers/env.js';

const ALLOWED = new Set(['env.wt_random', 'env.wt_now', 'env.emscripten_notify_memory_growth']);

describe('wasm import list', () => {
  for (const build of BUILDS) {
    it(`${build} build imports only the loader's set`, () => {
      const mod = new WebAssembly.Module(wasmBytes(build));
      const names = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
      for (const n of names) expect(ALLOWED.has(n), `unexpected import ${n}`).toBe(true);
      const exps = WebAssembly.Module.exports(mod).map((e) => e.name);
      expect(exps).toContain('memory');
      expect(exps).toContain('malloc');
      expect(exps).toContain('wt_build_simd');
    });
  }
  it('the SIMD build uses SIMD and the scalar build does not', async () => {
    const { instantiateSync } = await import('../ts/core/loader.js');
    expect(instantiateSync(wasmBytes('simd')).simd).toBe(true);
    expect(instantiateSync(wasmBytes('scalar')).simd).toBe(false);
  });
});
