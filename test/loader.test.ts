/**
 * The loader: every kind of source, one shared instance, the scalar
 * fallback, entropy chunking, and clear errors.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('init() with bytes or the default file never touches the global Response (in Node 20 that loads undici: ~30 ms of a 35 ms init, issue #16)', () => {
    // Node defines its lazy globals as getters that replace themselves with
    // a value on first access: still a getter afterwards means never read.
    const script = `
      const kind = () => (Object.getOwnPropertyDescriptor(globalThis, 'Response').get ? 'getter' : 'value');
      const m = await import(${JSON.stringify(pathToFileURL(`${root}dist/loader.js`).href)});
      const before = kind();
      await m.init();
      const fs = await import('node:fs');
      await m.instantiate(fs.readFileSync(${JSON.stringify(wasmPath())}));
      console.log(before, kind());`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('getter getter');
  });

  it("init() loads Node's Web Crypto while the module compiles, not in the first handshake (17 internal modules, 3-7 ms there, issue #16); an injected random hook never touches it", () => {
    // Node's own list of the internal modules it has loaded is the oracle:
    // the first crypto.getRandomValues() of a process loads
    // internal/crypto/webcrypto and node:crypto with it.
    const script = (opts: string) => `
      const webcrypto = () => process.moduleLoadList.includes('NativeModule internal/crypto/webcrypto');
      const m = await import(${JSON.stringify(pathToFileURL(`${root}dist/loader.js`).href)});
      const before = webcrypto();
      await m.init(undefined, ${opts});
      console.log(before, webcrypto());`;
    const run = (opts: string): string =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script(opts)], { encoding: 'utf8' }).trim();
    expect(run('undefined')).toBe('false true');
    expect(run('{ random: (b) => b.fill(7) }')).toBe('false false');
  });

  it('instantiate() with no source compiles the package file once per isolate and build; each call still gets its own instance (issue #16, cold start)', async () => {
    const m = await freshLoader();
    // Every way to compile bytes: compile(), compileStreaming(), and
    // instantiate() given anything but a Module (spies call through).
    const compile = vi.spyOn(WebAssembly, 'compile');
    const streaming = vi.spyOn(WebAssembly, 'compileStreaming');
    const inst = vi.spyOn(WebAssembly, 'instantiate');
    try {
      const a = await m.instantiate();
      const b = await m.instantiate();
      const scalar = await m.instantiate(undefined, { simd: false });
      const fromBytes = inst.mock.calls.filter(([x]) => !(x instanceof WebAssembly.Module)).length;
      expect(compile.mock.calls.length + streaming.mock.calls.length + fromBytes).toBe(2); // SIMD once, scalar once
      expect([a.simd, b.simd, scalar.simd]).toEqual([true, true, false]);
      // Separate instances: their own memory and allocator.
      expect(a.exports.memory).not.toBe(b.exports.memory);
      const before = b.memoryUsage().used;
      a.alloc(100_000);
      expect(b.memoryUsage().used).toBe(before);
    } finally {
      compile.mockRestore();
      streaming.mockRestore();
      inst.mockRestore();
    }
  });

  it('simd: false loads the scalar build', async () => {
    const m = (await import(pathToFileURL(`${root}dist/loader.js`).href)) as typeof import('../ts/core/loader.js');
    const w = await m.instantiate(undefined, { simd: false });
    expect(w.simd).toBe(false);
  });

  it('memoryUsage(): used rises by what is allocated and falls back when it is freed; memory is the buffer size', async () => {
    const m = await freshLoader();
    const w = await m.instantiate(wasmBytes());
    const before = w.memoryUsage();
    const n = 3 * 1024 * 1024; // more than the initial 2 MiB: the heap must grow
    const p = w.alloc(n);
    const during = w.memoryUsage();
    expect(during.used - before.used).toBeGreaterThanOrEqual(n);
    expect(during.used - before.used).toBeLessThan(n + 64); // one block header at most
    expect(during.heap).toBeGreaterThanOrEqual(during.used);
    expect(during.memory).toBe(w.exports.memory.buffer.byteLength);
    expect(during.memory).toBeGreaterThan(n);
    w.free(p);
    const after = w.memoryUsage();
    expect(Math.abs(after.used - before.used)).toBeLessThan(64);
    expect(after.memory).toBe(during.memory); // linear memory never shrinks
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

  it('says what a URL served instead of a module: the URL, the status or content type, the first bytes', async () => {
    const m = await freshLoader();
    // A dev server's HTML fallback, as a Response: content type and "<!do".
    const html = new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } });
    await expect(m.instantiate(html)).rejects.toThrow(
      /got text\/html \(a page, not the module: 404\?\), starting 3c 21 64 6f instead of the WebAssembly magic 00 61 73 6d; check that the URL serves/,
    );
    // Over HTTP (Node's fetch against a real server): the URL is named.
    const server = createServer((req, res) => {
      if (req.url === '/page.wasm') res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(m.instantiate(`${base}/missing.wasm`)).rejects.toThrow(`wasmtls: fetched ${base}/missing.wasm: got HTTP 404`);
      await expect(m.instantiate(`${base}/page.wasm`)).rejects.toThrow(`wasmtls: fetched ${base}/page.wasm: got text/html`);
    } finally {
      server.close();
    }
    // A file that is not there: the URL and the reason.
    await expect(m.instantiate(pathToFileURL(`${root}dist/no-such.wasm`))).rejects.toThrow(/fetching file:.*no-such\.wasm failed \(ENOENT/);
  });

  it('in Cloudflare Workers, a source-less init() says to import the module and use initSync', async () => {
    const m = await freshLoader();
    // navigator.userAgent is "Cloudflare-Workers" there; the real runtime
    // is checked in test/bundlers.test.ts (workerd).
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
    try {
      await expect(m.init()).rejects.toThrow("import mod from 'wasmtls/wasmtls.wasm'; initSync(mod);");
    } finally {
      vi.unstubAllGlobals();
    }
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

  it('the SIMD build needs bulk memory too: an engine with SIMD128 but without it gets false from simdSupported()', async () => {
    const m = await freshLoader();
    expect(m.simdSupported()).toBe(true); // Node 20 has both
    const real = WebAssembly.validate.bind(WebAssembly);
    // Emulate such an engine: it refuses modules that use memory.copy or
    // memory.fill (opcodes 0xfc 0x0a, 0xfc 0x0b) and takes SIMD.
    const v = vi.spyOn(WebAssembly, 'validate').mockImplementation((b) => {
      const u = b instanceof Uint8Array ? b : new Uint8Array(b as ArrayBuffer);
      for (let i = 0; i + 1 < u.length; i++) if (u[i] === 0xfc && (u[i + 1] === 0x0a || u[i + 1] === 0x0b)) return false;
      return real(b);
    });
    try {
      expect(m.simdSupported()).toBe(false);
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
