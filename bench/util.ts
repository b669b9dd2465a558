/**
 * Benchmark helpers: time a function for a while, repeat, take the median.
 * The machine is shared and noisy, so compare implementations measured in
 * the same run (ratios), never absolute figures across runs.
 */
import { readFileSync } from 'node:fs';
import { instantiateSync, initSync, type Wasm } from '../ts/core/loader.js';

export const RUNS = Number(process.env.BENCH_RUNS ?? 7);
export const RUN_MS = Number(process.env.BENCH_MS ?? 150);

// Bundled into build/bench/, so dist/ is two levels up.
export function wasmFile(build: 'simd' | 'scalar'): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../dist/${build === 'simd' ? 'wasmtls.wasm' : 'wasmtls-scalar.wasm'}`, import.meta.url)));
}
export function loadShared(build: 'simd' | 'scalar' = 'simd'): Wasm {
  return initSync(wasmFile(build));
}
export function loadFresh(build: 'simd' | 'scalar'): Wasm {
  return instantiateSync(wasmFile(build));
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Operations per second of a synchronous fn: median of RUNS runs of
 * about RUN_MS each, after a warm-up. */
export function opsPerSec(fn: () => unknown): number {
  let n = 1;
  // Warm up and find a batch size that takes ~RUN_MS / 10.
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    const dt = performance.now() - t;
    if (dt > RUN_MS / 10) break;
    n *= 2;
  }
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let done = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < RUN_MS) {
      for (let i = 0; i < n; i++) fn();
      done += n;
      t = performance.now();
    }
    rates.push((done * 1000) / (t - t0));
  }
  return median(rates);
}

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  x !== null && typeof x === 'object' && typeof (x as PromiseLike<unknown>).then === 'function';
const settle = async (x: unknown): Promise<void> => {
  if (isThenable(x)) await x;
};

/**
 * Operations per second of several fns measured interleaved: each round
 * runs every fn for RUN_MS in turn, RUNS rounds, median per fn. On a
 * shared machine the load drifts; interleaving spreads the drift over all
 * contenders instead of penalising whichever ran during a busy spell.
 * Async fns are awaited one call at a time.
 */
export async function compare<K extends string>(fns: Record<K, () => unknown>): Promise<Record<K, number>> {
  const keys = Object.keys(fns) as K[];
  const batch = {} as Record<K, number>;
  const rates = {} as Record<K, number[]>;
  for (const k of keys) {
    rates[k] = [];
    // Warm up; find a batch that takes about RUN_MS / 10.
    let n = 1;
    for (;;) {
      const t = performance.now();
      for (let i = 0; i < n; i++) await settle(fns[k]());
      if (performance.now() - t > RUN_MS / 10 || n > 1 << 20) break;
      n *= 2;
    }
    batch[k] = n;
  }
  for (let r = 0; r < RUNS; r++) {
    for (const k of keys) {
      let done = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < RUN_MS) {
        const f = fns[k];
        for (let i = 0; i < batch[k]; i++) {
          const res = f();
          if (isThenable(res)) await res;
        }
        done += batch[k];
        t = performance.now();
      }
      rates[k].push((done * 1000) / (t - t0));
    }
  }
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = median(rates[k]);
  return out;
}

/** The same for an async fn (awaited one call at a time). */
export async function opsPerSecAsync(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let done = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < RUN_MS) {
      await fn();
      done++;
      t = performance.now();
    }
    rates.push((done * 1000) / (t - t0));
  }
  return median(rates);
}

/** Print rows as an aligned table. */
export function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  for (const [k, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  '));
    if (k === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  }
}

export function fmt(x: number): string {
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
