/**
 * Loads the wasmtls WebAssembly module: one shared instance per isolate.
 *
 * The module is standalone (no emscripten JS glue). Its only imports are
 * the ones implemented here:
 *  - `env.wt_random(ptr, len)`: entropy from `crypto.getRandomValues`,
 *    chunked to its 65,536-byte limit;
 *  - `env.wt_now()`: milliseconds since the epoch as a BigInt (`uint64_t`);
 *  - `env.emscripten_notify_memory_growth(i)`: emmalloc's growth hook, a
 *    no-op (views are re-derived after every call anyway).
 *
 * Sources: bytes, a `URL`/string, a `Response` (or a promise of one;
 * streaming compile where the runtime has it), or an already compiled
 * `WebAssembly.Module` (Cloudflare Workers forbid compiling at run time).
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * await init();                          // Node, Deno, browsers: dist/wasmtls.wasm
 * import mod from './wasmtls.wasm';      // Workers: a WebAssembly.Module
 * initSync(mod);
 * ```
 * @module
 */

/** Anything a module can be loaded from. */
export type WasmSource =
  | BufferSource
  | WebAssembly.Module
  | Response
  | PromiseLike<Response>
  | URL
  | string;

/** Host hooks; tests inject deterministic ones (trace tests, clocks). */
export interface LoadOptions {
  /** Fill `buf` with secure random bytes. Default: `crypto.getRandomValues`. */
  random?: (buf: Uint8Array) => void;
  /** Milliseconds since the Unix epoch. Default: `Date.now`. */
  now?: () => number;
  /** With no explicit source: `false` loads the scalar build even where
   * SIMD is available (debugging, differential checks). Default: detect. */
  simd?: boolean;
}

type Hooks = Required<Pick<LoadOptions, 'random' | 'now'>>;

/** Raw exports: every export takes and returns integers (pointers included). */
export type WasmExports = Record<string, (...args: number[]) => number> & {
  /** The module's linear memory (it grows: re-derive views after calls). */
  memory: WebAssembly.Memory;
  /** Allocate `n` bytes of linear memory; 0 when exhausted. */
  malloc(n: number): number;
  /** Free what `malloc` returned. */
  free(p: number): void;
};

/** One instantiated module and the helpers to move bytes in and out of it. */
export class Wasm {
  /** The module's exports. */
  readonly exports: WasmExports;
  /** Whether this is the SIMD build (`wasmtls.wasm`) rather than the scalar one. */
  readonly simd: boolean;
  /** @internal */
  hooks: Hooks;

  /** @internal */
  constructor(instance: WebAssembly.Instance, simd: boolean, hooks: Hooks) {
    this.exports = instance.exports as unknown as WasmExports;
    this.simd = simd;
    this.hooks = hooks;
  }

  /** A fresh view of linear memory. Memory may grow during any call, which
   * detaches older views, so never keep one across a call. */
  u8(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  /** Allocate n bytes (at least 1) in linear memory; throws on exhaustion. */
  alloc(n: number): number {
    const p = this.exports.malloc(n > 0 ? n : 1);
    if (p === 0) throw new RangeError(`wasmtls: out of wasm memory allocating ${n} bytes`);
    return p;
  }

  /** Free memory from {@link Wasm.alloc}. */
  free(p: number): void {
    if (p !== 0) this.exports.free(p);
  }

  /** Allocate and copy bytes in; the caller frees. */
  copyIn(bytes: Uint8Array): number {
    const p = this.alloc(bytes.length);
    this.u8().set(bytes, p);
    return p;
  }

  /** Copy len bytes out of linear memory into a new array. */
  copyOut(ptr: number, len: number): Uint8Array {
    return this.u8().slice(ptr, ptr + len);
  }

  private scratchPtr = 0;
  private scratchLen = 0;

  /** A reusable region of at least n bytes for call arguments. Its contents
   * are only valid until the next call that uses scratch. */
  scratch(n: number): number {
    if (n > this.scratchLen) {
      this.free(this.scratchPtr);
      this.scratchLen = Math.max(n, 1024);
      this.scratchPtr = this.alloc(this.scratchLen);
    }
    return this.scratchPtr;
  }

  /** Zero len bytes at ptr (wipe a secret before freeing it). */
  wipe(ptr: number, len: number): void {
    this.u8().fill(0, ptr, ptr + len);
  }
}

let shared: Wasm | undefined;
let pending: Promise<Wasm> | undefined;

// The smallest module that uses a SIMD128 instruction (v128.const + drop):
// WebAssembly.validate() says whether this engine has SIMD.
const SIMD_PROBE = /* @__PURE__ */ new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26, 11,
]);

/** Whether this runtime's WebAssembly supports SIMD128. */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Fill buf from `crypto.getRandomValues`, in chunks of its 65,536-byte
 * limit per call. */
export function fillRandom(buf: Uint8Array): Uint8Array {
  // getRandomValues throws QuotaExceededError beyond 65,536 bytes a call.
  for (let off = 0; off < buf.length; off += 65536) {
    crypto.getRandomValues(buf.subarray(off, Math.min(buf.length, off + 65536)));
  }
  return buf;
}

function imports(get: () => Wasm | undefined, hooks: Hooks): WebAssembly.Imports {
  return {
    env: {
      wt_random(ptr: number, len: number): void {
        const w = get();
        if (!w) throw new Error('wasmtls: entropy requested before instantiation finished');
        // Fill a JS-side copy: getRandomValues refuses views of a
        // SharedArrayBuffer in some runtimes, and this keeps the hook simple.
        const tmp = new Uint8Array(len);
        hooks.random(tmp);
        w.u8().set(tmp, ptr);
        tmp.fill(0);
      },
      wt_now(): bigint {
        return BigInt(Math.floor(hooks.now()));
      },
      emscripten_notify_memory_growth(): void {},
    },
  };
}

// Not a type guard: WebAssembly.Module is an empty interface, so narrowing
// on it would make every other branch `never`.
function isModule(x: unknown): boolean {
  return typeof WebAssembly.Module === 'function' && x instanceof WebAssembly.Module;
}

function isResponseLike(x: unknown): x is Response | PromiseLike<Response> {
  if (x === null || typeof x !== 'object') return false;
  if (typeof (x as PromiseLike<Response>).then === 'function') return true;
  return typeof Response === 'function' && x instanceof Response;
}

function simdError(cause: unknown): Error {
  return new Error(
    'wasmtls: this runtime does not support WebAssembly SIMD128, which wasmtls.wasm needs; ' +
      'load wasmtls-scalar.wasm instead (init() picks it by itself when given no source)',
    { cause },
  );
}

/** Instantiate a fresh module (not the shared one). Tests use this to load
 * the SIMD and scalar builds side by side. */
export async function instantiate(source?: WasmSource, opts: LoadOptions = {}): Promise<Wasm> {
  const hooks: Hooks = {
    random: opts.random ?? fillRandom,
    now: opts.now ?? Date.now,
  };
  const simd = simdSupported();
  let src: WasmSource = source ?? defaultUrl(simd && opts.simd !== false);
  let w: Wasm | undefined;
  const imp = imports(() => w, hooks);
  let instance: WebAssembly.Instance;
  try {
    if (isModule(src)) {
      instance = new WebAssembly.Instance(src as WebAssembly.Module, imp);
    } else {
      if (typeof src === 'string' || src instanceof URL) src = await fetchBytes(src);
      if (isResponseLike(src)) {
        const res = await src;
        if (!res.ok) throw new Error(`wasmtls: fetching the module failed: HTTP ${res.status}`);
        if (typeof WebAssembly.instantiateStreaming === 'function' &&
            (res.headers.get('content-type') ?? '').startsWith('application/wasm')) {
          instance = (await WebAssembly.instantiateStreaming(res, imp)).instance;
        } else {
          instance = (await WebAssembly.instantiate(await res.arrayBuffer(), imp)).instance;
        }
      } else {
        instance = (await WebAssembly.instantiate(src as BufferSource, imp)).instance;
      }
    }
  } catch (e) {
    if (!simd && e instanceof WebAssembly.CompileError) throw simdError(e);
    throw e;
  }
  w = new Wasm(instance, moduleUsesSimd(instance, simd), hooks);
  (w.exports._initialize as unknown as (() => void) | undefined)?.();
  return w;
}

/** Synchronous instantiation from bytes or a compiled module (Workers:
 * `import mod from './wasmtls.wasm'` gives a `WebAssembly.Module`). */
export function instantiateSync(source: BufferSource | WebAssembly.Module, opts: LoadOptions = {}): Wasm {
  const hooks: Hooks = {
    random: opts.random ?? fillRandom,
    now: opts.now ?? Date.now,
  };
  let w: Wasm | undefined;
  const imp = imports(() => w, hooks);
  let instance: WebAssembly.Instance;
  try {
    const mod = isModule(source) ? (source as WebAssembly.Module) : new WebAssembly.Module(source as BufferSource);
    instance = new WebAssembly.Instance(mod, imp);
  } catch (e) {
    if (!simdSupported() && e instanceof WebAssembly.CompileError) throw simdError(e);
    throw e;
  }
  w = new Wasm(instance, moduleUsesSimd(instance, simdSupported()), hooks);
  (w.exports._initialize as unknown as (() => void) | undefined)?.();
  return w;
}

// The build exports wt_build_simd() returning 1 in the SIMD build.
function moduleUsesSimd(instance: WebAssembly.Instance, fallback: boolean): boolean {
  const f = instance.exports.wt_build_simd as (() => number) | undefined;
  return f ? f() === 1 : fallback;
}

function defaultUrl(simd: boolean): URL {
  return new URL(simd ? './wasmtls.wasm' : './wasmtls-scalar.wasm', import.meta.url);
}

async function fetchBytes(u: URL | string): Promise<BufferSource | Response> {
  const url = typeof u === 'string' ? new URL(u, import.meta.url) : u;
  if (url.protocol === 'file:') {
    // Node and Deno: read from disk (fetch of file: URLs is not universal).
    const name = 'node:fs/promises'; // computed: bundlers must not resolve it
    const fs = await import(/* @vite-ignore */ name);
    return new Uint8Array(await fs.readFile(url));
  }
  return fetch(url);
}

/**
 * Load the shared instance once per isolate; later calls return it. With no
 * source, loads `wasmtls.wasm` beside this file, or `wasmtls-scalar.wasm`
 * where SIMD is missing.
 */
export function init(source?: WasmSource, opts?: LoadOptions): Promise<Wasm> {
  if (shared) return Promise.resolve(shared);
  pending ??= instantiate(source, opts).then(
    (w) => (shared = w),
    (e) => {
      pending = undefined;
      throw e;
    },
  );
  return pending;
}

/** Synchronous form of {@link init} for a compiled module or bytes. */
export function initSync(source: BufferSource | WebAssembly.Module, opts?: LoadOptions): Wasm {
  shared ??= instantiateSync(source, opts);
  return shared;
}

/** The shared instance; throws when neither init() nor initSync() ran. */
export function wasm(): Wasm {
  if (!shared) throw new Error('wasmtls: module not loaded; call `await init()` (or initSync(module)) first');
  return shared;
}

/**
 * Make `w` the shared instance the wrappers use from now on, returning the
 * previous one (undefined if none). Objects made earlier keep the instance
 * they were made with. For comparing builds in one process (benchmarks,
 * differential tests); ordinary code never needs it.
 */
export function useInstance(w: Wasm): Wasm | undefined {
  const prev = shared;
  shared = w;
  pending = Promise.resolve(w);
  return prev;
}
