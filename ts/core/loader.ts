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
export type WasmSource = BufferSource | WebAssembly.Module | Response | PromiseLike<Response> | URL | string;

/** Host hooks; tests inject deterministic ones (trace tests, clocks). */
export interface LoadOptions {
  /** Fill `buf` with secure random bytes. Default: `crypto.getRandomValues`. */
  random?: (buf: Uint8Array) => void;
  /** Milliseconds since the Unix epoch. Default: `Date.now`. */
  now?: () => number;
  /** With no explicit source: `false` loads the scalar build even where
   * SIMD is available (debugging, differential checks). Default: detect. */
  simd?: boolean;
  /**
   * The most linear memory the module may take, in bytes (rounded down to
   * a 64 KiB page): an allocation that would grow memory beyond it fails,
   * and connect()/accept()/the SSL object report that as a TLSError with
   * code `ERR_SSL_MALLOC_FAILURE`; memory freed (dispose()) is used again.
   * Enforced inside the module (wasm/memlimit.c). Default: the wasm32
   * maximum, 4 GiB. At least the module's initial memory (2 MiB).
   */
  maxMemory?: number;
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

/** {@link Wasm.memoryUsage}: bytes, for the whole module (one per isolate,
 * shared by every object made from it). */
export interface MemoryUsage {
  /** In blocks the allocator handed out and that are not freed yet
   * (connections, contexts, keys, the loader's scratch). It falls when
   * objects are disposed: the figure to watch for leaks and for what one
   * connection costs. */
  used: number;
  /** What the allocator manages (`used` and its free blocks). */
  heap: number;
  /** The size of linear memory; it grows and never shrinks. */
  memory: number;
  /** The most `memory` may reach: `LoadOptions.maxMemory`, or the wasm32
   * maximum, 4 GiB. */
  limit: number;
}

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

  /** Allocate n bytes (at least 1) in linear memory; throws a RangeError
   * on exhaustion (the TLS layer reports it as a TLSError). */
  alloc(n: number): number {
    const p = this.exports.malloc(n > 0 ? n : 1);
    if (p === 0) throw new RangeError(`wasmtls: out of wasm memory allocating ${n} bytes`);
    // An i32 result: an address at or above 2 GiB comes back negative.
    return p >>> 0;
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

  /** What the module's memory holds now (see {@link MemoryUsage}). */
  memoryUsage(): MemoryUsage {
    const x = this.exports;
    const limit = x.wt_x_memory_limit() >>> 0;
    return {
      used: x.wt_x_heap_used() >>> 0,
      heap: x.wt_x_heap_size() >>> 0,
      memory: x.memory.buffer.byteLength,
      limit: limit === 0 ? WASM32_MAX_MEMORY : limit,
    };
  }

  /** Zero len bytes at ptr (wipe a secret before freeing it). */
  wipe(ptr: number, len: number): void {
    this.u8().fill(0, ptr, ptr + len);
  }
}

/** The wasm32 maximum, and the module's (-sMAXIMUM_MEMORY=4GB, build.sh). */
const WASM32_MAX_MEMORY = 65536 * 65536;

/** Apply LoadOptions.maxMemory to a fresh instance. */
function applyMaxMemory(w: Wasm, max: number | undefined): void {
  if (max === undefined) return;
  if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`wasmtls: maxMemory must be a positive number of bytes, got ${max}`);
  if (max >= WASM32_MAX_MEMORY) return; // the module's own maximum already
  if (w.exports.wt_x_set_memory_limit(max) !== 0) {
    throw new RangeError(
      `wasmtls: maxMemory ${max} is below the module's memory at load (${w.exports.memory.buffer.byteLength} bytes); ` +
        'give at least that',
    );
  }
}

let shared: Wasm | undefined;
let pending: Promise<Wasm> | undefined;

// The smallest module that uses a SIMD128 instruction (v128.const + drop):
// WebAssembly.validate() says whether this engine has SIMD.
const SIMD_PROBE = /* @__PURE__ */ new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 26,
  11,
]);

// The smallest module that uses a bulk-memory instruction (memory.fill on
// a one-page memory): wasmtls.wasm is built with -mbulk-memory as well,
// so that its memcpy/memset (record copies, wipes) are memory.copy and
// memory.fill (bench/bulk-split: ChaCha20 bulk 1.15x). Every engine with
// SIMD128 has it (it came earlier); checked anyway, so an engine without
// it gets the scalar build rather than a CompileError.
const BULK_MEMORY_PROBE = /* @__PURE__ */ new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1, 10, 13, 1, 11, 0, 65, 0, 65, 0, 65, 0, 252, 11, 0, 11,
]);

/** Whether this runtime's WebAssembly runs the SIMD build, wasmtls.wasm:
 * SIMD128 and bulk memory operations. */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE) && WebAssembly.validate(BULK_MEMORY_PROBE);
  } catch {
    return false;
  }
}

/** Fill buf from `crypto.getRandomValues`, in chunks of its 65,536-byte
 * limit per call. */
export function fillRandom(buf: Uint8Array): Uint8Array {
  // getRandomValues throws QuotaExceededError beyond 65,536 bytes a call.
  for (let off = 0; off < buf.length; off += 65536) {
    // The cast is for Deno's lib, which types getRandomValues for views of an
    // ArrayBuffer only (a SharedArrayBuffer view may be refused at run time).
    crypto.getRandomValues(buf.subarray(off, Math.min(buf.length, off + 65536)) as Uint8Array<ArrayBuffer>);
  }
  return buf;
}

/** Bytes of entropy drawn at once for the engine's small requests. */
const RANDOM_POOL = 1024;

function imports(get: () => Wasm | undefined, hooks: Hooks): WebAssembly.Imports {
  // The engine asks for a few dozen bytes at a time (a handshake's client
  // random, session ID and key share: three calls), and each
  // getRandomValues call pays the runtime's fixed cost, cache-cold between
  // handshakes (issue #16). So the default source fills a pool and serves
  // small requests from it, wiping each byte as it is handed out; a
  // caller's own `random` hook is called for every request, as before.
  let pool: Uint8Array | undefined;
  let left = 0;
  return {
    env: {
      wt_random(ptr: number, len: number): void {
        const w = get();
        if (!w) throw new Error('wasmtls: entropy requested before instantiation finished');
        if (hooks.random === fillRandom && len <= RANDOM_POOL / 8) {
          if (left < len) {
            pool ??= new Uint8Array(RANDOM_POOL);
            fillRandom(pool); // overwrites the leftover bytes too
            left = RANDOM_POOL;
          }
          const at = RANDOM_POOL - left;
          const bytes = (pool as Uint8Array).subarray(at, at + len);
          w.u8().set(bytes, ptr >>> 0);
          bytes.fill(0);
          left -= len;
          return;
        }
        // Fill a JS-side copy: getRandomValues refuses views of a
        // SharedArrayBuffer in some runtimes, and this keeps the hook simple.
        const tmp = new Uint8Array(len);
        hooks.random(tmp);
        // An address at or above 2 GiB arrives as a negative i32.
        w.u8().set(tmp, ptr >>> 0);
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
  // Bytes first: in Node 20 the first touch of the global `Response` loads
  // undici (~40 ms of init(), issue #16), which bytes never need.
  if (ArrayBuffer.isView(x) || x instanceof ArrayBuffer) return false;
  if (typeof (x as PromiseLike<Response>).then === 'function') return true;
  return typeof Response === 'function' && x instanceof Response;
}

function simdError(cause: unknown): Error {
  return new Error(
    'wasmtls: this runtime does not support WebAssembly SIMD128 and bulk memory, which wasmtls.wasm needs; ' +
      'load wasmtls-scalar.wasm instead (init() picks it by itself when given no source)',
    { cause },
  );
}

let entropyWarmed = false;

/**
 * The first `crypto.getRandomValues()` of a Node process loads Node's Web
 * Crypto (its internal modules and WebIDL converters): 3-7 ms measured on
 * this machine kind in a fresh process, which the first handshake paid
 * (its first entropy request: key share, client random; issue #16, cold
 * start, bench/cold). instantiate() calls this while the module compiles
 * on the engine's background threads, so the cost overlaps the compile
 * instead of adding to the first handshake. Once per isolate; 1 byte,
 * thrown away. Only with the default entropy hook: an injected `random`
 * (deterministic tests) sees exactly the calls the engine makes. A
 * failure is ignored: workerd refuses getRandomValues in global scope
 * ("Disallowed operation called within global scope"), where init() may
 * run; the handshake, in a handler, then pays it as before.
 */
function warmEntropy(): void {
  if (entropyWarmed) return;
  entropyWarmed = true;
  try {
    crypto.getRandomValues(new Uint8Array(1));
  } catch {
    // See above: not an error, only no head start.
  }
}

/**
 * The package's own modules (no source given), compiled once per isolate
 * and URL: a second instantiate() (a fresh instance beside the shared one,
 * for tests and benchmarks), or init() after a failed one, neither reads
 * nor compiles the file again (a fresh Node 20 process, a loaded
 * machine: 23 ms down to 0.4 ms). The first handshake on that instance is
 * no faster: V8 already shares compiled functions between modules of the
 * same bytes. The cost: the module stays referenced for the isolate's
 * life, also once every instance made from it is gone. Sources given by
 * the caller are the caller's to keep (pass a WebAssembly.Module to reuse
 * one).
 */
const ownModules = new Map<string, Promise<WebAssembly.Module>>();

/** Compile a source that is not a Module yet; `meanwhile` runs once the
 * engine's compile is under way. */
async function compile(src: WasmSource, own: boolean, meanwhile: () => void): Promise<WebAssembly.Module> {
  const got = typeof src === 'string' || src instanceof URL ? await fetchBytes(src, own) : src;
  if (isResponseLike(got)) return fromResponse(await got, own, meanwhile);
  const compiling = WebAssembly.compile(got as BufferSource);
  meanwhile();
  return compiling;
}

/** Instantiate a fresh module (not the shared one). Tests use this to load
 * the SIMD and scalar builds side by side. */
export async function instantiate(source?: WasmSource, opts: LoadOptions = {}): Promise<Wasm> {
  const hooks: Hooks = {
    random: opts.random ?? fillRandom,
    now: opts.now ?? Date.now,
  };
  const simd = simdSupported();
  // With no source the module is the package's own file beside this one:
  // a failure then is about where the package's files went (a bundler that
  // did not emit them, a Worker that cannot fetch), and the error says so.
  const own = source === undefined;
  if (own && inWorkers()) throw workersError();
  const src: WasmSource = own ? defaultUrl(simd && opts.simd !== false) : source;
  let w: Wasm | undefined;
  const imp = imports(() => w, hooks);
  let instance: WebAssembly.Instance;
  try {
    let mod: WebAssembly.Module;
    if (isModule(src)) {
      mod = src as WebAssembly.Module;
    } else {
      // The engine compiles (and a Response streams in) off this thread:
      // meanwhile, do here what the first handshake would otherwise do.
      const meanwhile = opts.random === undefined ? warmEntropy : () => {};
      if (own) {
        const key = (src as URL).href;
        let cached = ownModules.get(key);
        if (!cached) {
          cached = compile(src, true, meanwhile);
          ownModules.set(key, cached);
          // A failure is not kept: the next call tries again.
          cached.catch(() => ownModules.delete(key));
        }
        mod = await cached;
      } else {
        mod = await compile(src, false, meanwhile);
      }
    }
    // Given a Module, instantiate() resolves to the Instance alone.
    instance = (await WebAssembly.instantiate(mod, imp)) as unknown as WebAssembly.Instance;
  } catch (e) {
    if (!simd && e instanceof WebAssembly.CompileError) throw simdError(e);
    if (compileForbidden(e)) throw workersError(e);
    throw e;
  }
  w = new Wasm(instance, moduleUsesSimd(instance, simd), hooks);
  (w.exports._initialize as unknown as (() => void) | undefined)?.();
  applyMaxMemory(w, opts.maxMemory);
  return w;
}

/** What to do when the package's own .wasm files are not where this file
 * expects them (the bundler copied the JS but not the assets). */
const COPY_HINT =
  'copy node_modules/wasmtls/dist/wasmtls.wasm and wasmtls-scalar.wasm next to your bundle ' +
  '(the JS file that contains the loader), or pass a URL, bytes or a WebAssembly.Module to init()';

// The four bytes every WebAssembly binary starts with: "\0asm".
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** Compile a fetched Response, or say precisely what came back
 * instead of a module: the URL, the status, the content type and the
 * first bytes (an HTML page from a dev server's fallback is the usual
 * case: "found 3c 21 64 6f" is `<!do`). `own`: the URL was the default one,
 * so the hint is about copying the package's files. */
async function fromResponse(res: Response, own: boolean, meanwhile: () => void): Promise<WebAssembly.Module> {
  const type = res.headers.get('content-type') ?? '';
  const where = res.url ? `fetched ${res.url}` : 'the Response';
  const hint = own ? COPY_HINT : 'check that the URL serves the .wasm file';
  if (!res.ok) {
    throw new Error(`wasmtls: ${where}: got HTTP ${res.status}${type ? ` (${type})` : ''}, not the module; ${hint}`);
  }
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    const compiling = WebAssembly.compileStreaming(res);
    meanwhile();
    return compiling;
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    const what = type.startsWith('text/html') ? `${type} (a page, not the module: 404?)` : type || 'no content type';
    throw new Error(
      `wasmtls: ${where}: got ${what}, starting ${head || '(empty)'} ` + `instead of the WebAssembly magic 00 61 73 6d; ${hint}`,
    );
  }
  const compiling = WebAssembly.compile(bytes);
  meanwhile();
  return compiling;
}

/** Cloudflare Workers and workerd: "navigator.userAgent ... returns
 * Cloudflare-Workers" (Workers docs, Web standards; global_navigator flag,
 * the default since compatibility date 2022-03-21). Before that date there
 * is no navigator and defaultUrl() fails on the missing import.meta.url. */
function inWorkers(): boolean {
  return typeof navigator === 'object' && navigator !== null && (navigator as { userAgent?: unknown }).userAgent === 'Cloudflare-Workers';
}

/** workerd refuses to compile at run time: "WebAssembly.compile(): Wasm
 * code generation disallowed by embedder" (also for instantiate(bytes) and
 * new WebAssembly.Module). */
function compileForbidden(e: unknown): boolean {
  return e instanceof WebAssembly.CompileError && /disallowed by embedder/i.test(e.message);
}

/** Workers have no fetchable import.meta.url (undefined, or a file: URL
 * of the bundle, by compatibility date) and forbid compiling WebAssembly
 * at run time, so neither a source-less init() nor init(bytes) can work
 * there: only a module compiled at deploy time, imported as a module. */
function workersError(cause?: unknown): Error {
  return new Error(
    'wasmtls: Cloudflare Workers cannot fetch the .wasm at run time nor compile WebAssembly from bytes, ' +
      'so `await init()` cannot load it here; import the compiled module and pass it: ' +
      "`import mod from 'wasmtls/wasmtls.wasm'; initSync(mod);`",
    cause === undefined ? undefined : { cause },
  );
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
    if (compileForbidden(e)) throw workersError(e);
    throw e;
  }
  w = new Wasm(instance, moduleUsesSimd(instance, simdSupported()), hooks);
  (w.exports._initialize as unknown as (() => void) | undefined)?.();
  applyMaxMemory(w, opts.maxMemory);
  return w;
}

// The build exports wt_build_simd() returning 1 in the SIMD build.
function moduleUsesSimd(instance: WebAssembly.Instance, fallback: boolean): boolean {
  const f = instance.exports.wt_build_simd as (() => number) | undefined;
  return f ? f() === 1 : fallback;
}

function defaultUrl(simd: boolean): URL {
  // Two literal `new URL('./name.wasm', import.meta.url)` calls, never one
  // with a computed name: that literal form is the one bundlers (Vite in
  // build and dev, webpack 5: test/bundlers.test.ts) recognise as an asset
  // reference, so they emit both files and rewrite each URL to where they
  // put it. A computed name is left alone: no file is emitted and the fetch
  // gets the dev server's index.html ("found 3c 21 64 6f"). esbuild follows
  // no `new URL()`: its users copy the files or import them (README).
  // Vite's dev server finds these in its pre-bundled dependencies too.
  try {
    return simd ? new URL('./wasmtls.wasm', import.meta.url) : new URL('./wasmtls-scalar.wasm', import.meta.url);
  } catch (e) {
    // import.meta.url is not a URL in this runtime (a bundle made for a
    // host that gives none): the file beside this one cannot be named.
    throw new Error(
      `wasmtls: init() with no source needs import.meta.url to locate wasmtls.wasm, and here it is ` +
        `${String(import.meta.url)}; pass a URL, bytes or a WebAssembly.Module to init(), or initSync(module)`,
      { cause: e },
    );
  }
}

async function fetchBytes(u: URL | string, own: boolean): Promise<BufferSource | Response> {
  // A string is relative to this file. The base goes through a variable:
  // webpack reads `new URL(<expression>, import.meta.url)` as a request for
  // every file of the folder (a context module, with a "Critical dependency"
  // warning); only the two literal calls above are meant for bundlers.
  const base: string = import.meta.url;
  const url = typeof u === 'string' ? new URL(u, base) : u;
  try {
    if (url.protocol === 'file:') {
      // Node and Deno: read from disk (fetch of file: URLs is not universal).
      // Computed, and marked for Vite and webpack: bundlers for the web must
      // neither resolve it nor warn about an import they cannot follow.
      const name = 'node:fs/promises';
      const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ name);
      return new Uint8Array(await fs.readFile(url));
    }
    return await fetch(url);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(
      `wasmtls: fetching ${url.href} failed (${why}); ` +
        (own ? COPY_HINT : 'check the URL, or pass bytes or a WebAssembly.Module to init()'),
      { cause: e },
    );
  }
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
