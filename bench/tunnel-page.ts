/**
 * The Chromium page of bench/tunnel.ts: loads both modules from the page's
 * server (wasmtls.wasm, epoxy.wasm), runs tunnel-clients.ts with the
 * browser's own WebSocket, and leaves the results in `window.__result`
 * for playwright to collect.
 */
// @ts-expect-error resolved by the bench's esbuild plugin to epoxy-tls's full/epoxy.js
import * as epoxy from 'epoxy-full';
import { init } from '../ts/core/loader.js';
import { runSuite, type EpoxyModule, type TunnelEnv } from './tunnel-clients.js';

const w = window as unknown as { __result?: unknown };

/** Wisp CONNECT and CLOSE packets each client sends (its streams opened
 * and closed), counted at the WebSocket: epoxy-tls makes its own from the
 * global, wasmtls's Wisp client is handed one. */
const sent: Record<string, { connect: number; close: number }> = {};
function counting(tag: string): typeof WebSocket {
  const n = (sent[tag] = { connect: 0, close: 0 });
  return class extends WebSocket {
    override send(d: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const b = ArrayBuffer.isView(d)
        ? new Uint8Array(d.buffer, d.byteOffset, 1)
        : d instanceof ArrayBuffer
          ? new Uint8Array(d, 0, 1)
          : undefined;
      if (b?.[0] === 0x01) n.connect++;
      else if (b?.[0] === 0x04) n.close++;
      super.send(d);
    }
  };
}
const Ours = counting('wasmtls');
globalThis.WebSocket = counting('epoxy-tls');

try {
  const cfg = (await (await fetch('./config.json')).json()) as Omit<TunnelEnv, 'runtime' | 'WebSocket' | 'epoxy' | 'log'>;
  await init(fetch('./wasmtls.wasm'));
  await (epoxy as { default(o: unknown): Promise<unknown> }).default({ module_or_path: fetch('./epoxy.wasm') });
  const ua = /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? 'Chromium';
  const r = await runSuite({
    ...cfg,
    runtime: ua.replace('Chrome', 'Chromium'),
    WebSocket: Ours as unknown as TunnelEnv['WebSocket'],
    epoxy: epoxy as unknown as EpoxyModule,
    log: (l) => console.log(l),
  });
  w.__result = { ...r, wispSent: sent };
} catch (e) {
  w.__result = { error: String((e as Error)?.stack ?? e) };
}
