/**
 * The loader: every kind of source, one shared instance, the scalar
 * fallback, entropy chunking, and clear errors.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { root, wasmBytes, wasmPath } from './helpers/env.js';

// A fresh copy of the loader module (its shared instance starts empty).
async function freshLoader(): Promise<typeof import('../ts/core/loader.js')> {
  vi.resetModules();
  return import('../ts/core/loader.js');
}

describe('loader', () => {
  it('the built bundle loads dist/wasmtls.wasm by itself (init() with no source)', async () => {
    const m = (await import(pathToFileURL(`${root}dist/loader.js`).href)) as typeof import('../ts/core/loader.js');
    const w = await m.init();
    expect(w.simd).toBe(true);
    expect(await m.init()).toBe(w); // one shared instance
    expect(m.wasm()).toBe(w);
    expect(m.initSync(wasmBytes())).toBe(w);
  });

  it('simd: false loads the scalar build', async () => {
    const m = (await import(pathToFileURL(`${root}dist/loader.js`).href)) as typeof import('../ts/core/loader.js');
    const w = await m.instantiate(undefined, { simd: false });
    expect(w.simd).toBe(false);
  });

  it('loads from bytes, a Module, a Response, a promise of one, a file URL', async () => {
    const m = await freshLoader();
    const bytes = wasmBytes();
    const sources: [string, () => unknown][] = [
      ['bytes', () => bytes],
      ['ArrayBuffer', () => bytes.slice().buffer],
      ['Module', () => new WebAssembly.Module(bytes)],
      ['Response (streaming)', () => new Response(bytes, { headers: { 'content-type': 'application/wasm' } })],
      ['Response (no content-type)', () => new Response(bytes)],
      ['Promise<Response>', () => Promise.resolve(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }))],
      ['file URL', () => pathToFileURL(wasmPath())],
    ];
    for (const [what, src] of sources) {
      const w = await m.instantiate(src() as never);
      expect(w.exports.wt_build_simd(), what).toBe(1);
    }
    expect(m.instantiateSync(new WebAssembly.Module(bytes)).simd).toBe(true);
  });

  it('fails clearly: before init, bad HTTP status, module used after a failed load', async () => {
    const m = await freshLoader();
    expect(() => m.wasm()).toThrow(/call `await init\(\)`/);
    await expect(m.init(new Response('nope', { status: 404 }))).rejects.toThrow(/HTTP 404/);
    // A failed init does not stick: the next one may succeed.
    const w = await m.init(wasmBytes());
    expect(m.wasm()).toBe(w);
  });

  it('names the scalar build when an engine without SIMD rejects the SIMD build', async () => {
    const m = await freshLoader();
    // Node always has SIMD, so emulate an engine without it: validate()
    // says no, and compiling fails as such an engine would.
    const v = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      // A module an engine cannot compile (a section that overruns).
      const broken = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 0x7f, 1]);
      await expect(m.instantiate(broken)).rejects.toThrow(/does not support WebAssembly SIMD128.*wasmtls-scalar\.wasm/);
      expect(() => m.instantiateSync(broken)).toThrow(/wasmtls-scalar\.wasm/);
    } finally {
      v.mockRestore();
    }
  });

  it('entropy: fillRandom covers buffers beyond the 65,536-byte getRandomValues limit', async () => {
    const m = await freshLoader();
    const buf = m.fillRandom(new Uint8Array(200_000));
    // Each 64 KiB chunk was filled (a chunk left zero would show here).
    for (let off = 0; off < buf.length; off += 65536) {
      const part = buf.subarray(off, off + Math.min(65536, buf.length - off));
      expect(part.some((x) => x !== 0)).toBe(true);
    }
  });
});
