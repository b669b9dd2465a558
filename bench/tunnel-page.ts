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
try {
  const cfg = (await (await fetch('./config.json')).json()) as Omit<TunnelEnv, 'runtime' | 'WebSocket' | 'epoxy' | 'log'>;
  await init(fetch('./wasmtls.wasm'));
  await (epoxy as { default(o: unknown): Promise<unknown> }).default({ module_or_path: fetch('./epoxy.wasm') });
  const ua = /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? 'Chromium';
  w.__result = await runSuite({
    ...cfg,
    runtime: ua.replace('Chrome', 'Chromium'),
    WebSocket: WebSocket as unknown as TunnelEnv['WebSocket'],
    epoxy: epoxy as unknown as EpoxyModule,
    log: (l) => console.log(l),
  });
} catch (e) {
  w.__result = { error: String((e as Error)?.stack ?? e) };
}
