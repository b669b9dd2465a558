/**
 * What bench/cold.ts runs once per fresh process, page or workerd instance
 * (runtime-neutral: bundled for Node, Chromium and workerd). The entry that
 * imports this bundle times its evaluation itself; here: loading the module
 * and two full handshake pairs in memory (TLS 1.3, X25519, RSA-2048 server
 * certificate, no chain validation, as Node's peer in bench/cold.ts), each
 * with its own pair of contexts, the way a program that starts and connects
 * does.
 */
import { Connection, TLSContext } from '../ts/core/connection.js';
import { init, initSync, type WasmSource } from '../ts/core/loader.js';
import { handshake } from '../ts/core/pump.js';

export { init };

export interface Cert {
  key: string;
  cert: string;
}

/** One full handshake pair with fresh contexts, disposed after. */
export function pair(c: Cert): void {
  const cctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
  const sctx = new TLSContext({ cert: c.cert, key: c.key });
  const cl = new Connection(cctx);
  const sv = new Connection(sctx);
  cl.setConnectState();
  sv.setAcceptState();
  handshake(cl, sv);
  if (cl.version !== 'TLSv1.3') throw new Error(`cold probe: negotiated ${cl.version}`);
  cl.dispose();
  sv.dispose();
  cctx.dispose();
  sctx.dispose();
}

/**
 * `mode: 'init'`: one `await init(source)`, as an application calls it.
 * `mode: 'phases'`: the same work apart: compile (`compileStreaming` of the
 * Response, or `compile` of bytes), then `initSync(module)`.
 * Then the first and the second handshake pair; `warm`: then the steady
 * state. Milliseconds.
 */
export async function coldRun(
  mode: 'init' | 'phases',
  source: () => WasmSource | Promise<Uint8Array | Response> | undefined,
  c: Cert,
  warm = false,
): Promise<Record<string, number>> {
  const r: Record<string, number> = {};
  let t = performance.now();
  const lap = (k: string): void => {
    const n = performance.now();
    r[k] = n - t;
    t = n;
  };
  if (mode === 'init') {
    await init((await source()) as WasmSource | undefined);
    lap('init');
  } else {
    const s = await source();
    let mod: WebAssembly.Module;
    lap('fetch');
    // Bytes first: in Node 20 the first touch of the global Response loads
    // undici (~25 ms), which would be counted as compile time.
    if (s instanceof Uint8Array) mod = await WebAssembly.compile(s as Uint8Array<ArrayBuffer>);
    else if (s instanceof WebAssembly.Module) mod = s;
    else mod = await WebAssembly.compileStreaming(s as Response);
    lap('compile');
    initSync(mod);
    lap('instantiate');
  }
  pair(c);
  lap('pair1');
  pair(c);
  lap('pair2');
  if (warm) {
    // What a pair costs once everything is compiled and tiered up: the
    // floor the first pairs tend to (median of the last 5 of 40).
    const ts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      pair(c);
      ts.push(performance.now() - t0);
    }
    r.warm = ts.slice(-5).sort((a, b) => a - b)[2];
  }
  return r;
}
