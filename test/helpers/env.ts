/**
 * Shared test helpers: load a build of the module, find the vectors beside
 * the checkout, decode hex.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initSync, instantiateSync, type LoadOptions, type Wasm } from '../../ts/core/loader.js';

export type Build = 'simd' | 'scalar';
export const BUILDS: Build[] = ['simd', 'scalar'];

export const root = fileURLToPath(new URL('../../', import.meta.url));

export function wasmPath(build: Build = 'simd'): string {
  return `${root}dist/${build === 'simd' ? 'wasmtls.wasm' : 'wasmtls-scalar.wasm'}`;
}

export function wasmBytes(build: Build = 'simd'): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(wasmPath(build)));
}

/** Load `build` as this test file's shared instance (vitest isolates each
 * file, so each file has its own). */
export function useBuild(build: Build = 'simd', opts?: LoadOptions): Wasm {
  return initSync(wasmBytes(build), opts);
}

/** A fresh, unshared instance of a build. */
export function freshInstance(build: Build = 'simd', opts?: LoadOptions): Wasm {
  return instantiateSync(wasmBytes(build), opts);
}

/** ../shared/vectors beside the checkout (absent on some machines). */
export const vectorsDir = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));
export const haveVectors = existsSync(vectorsDir);

export interface WycheproofFile<T> {
  algorithm: string;
  numberOfTests: number;
  testGroups: ({ tests: T[] } & Record<string, unknown>)[];
}

/** Parse ../shared/vectors/wycheproof/<name>; undefined when absent. */
export function wycheproof<T = Record<string, unknown>>(name: string): WycheproofFile<T> | undefined {
  const p = `${vectorsDir}wycheproof/${name}`;
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as WycheproofFile<T>;
}

export const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
