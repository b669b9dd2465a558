/**
 * The type of `import mod from 'wasmtls/wasmtls.wasm'` (and of
 * `'wasmtls/wasmtls-scalar.wasm'`): where the runtime or the bundler imports
 * a `.wasm` file as a compiled module (Cloudflare Workers and wrangler,
 * esbuild's and webpack's wasm loaders set to do so), the default export is a
 * `WebAssembly.Module`, to give to `initSync()` from `wasmtls/loader`. Only
 * types: package.json's exports point the `types` condition of the two
 * `.wasm` entries here, and everything else at the `.wasm` file itself.
 *
 * @example
 * ```ts
 * import mod from 'wasmtls/wasmtls.wasm';
 * import { initSync } from 'wasmtls/loader';
 * initSync(mod);
 * ```
 * @module
 */

/** The compiled module. */
declare const module: WebAssembly.Module;
export default module;
