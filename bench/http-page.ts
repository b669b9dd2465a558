/**
 * The Chromium page of bench/http.ts: loads the three modules from the
 * page's server (wasmtls.wasm, epoxy.wasm, libcurl.wasm), runs
 * http-clients.ts with the browser's own WebSocket, and leaves the results
 * in `window.__result` for playwright to collect.
 */
// @ts-expect-error resolved by the bench's esbuild plugin to epoxy-tls's full/epoxy.js
import * as epoxy from 'epoxy-full';
// @ts-expect-error libcurl.js ships no types
import { libcurl } from 'libcurl.js';
import { init } from '../ts/core/loader.js';
import {
  type ClientName,
  type EpoxyFetchModule,
  epoxyClient,
  type HttpKnobs,
  type Libcurl,
  libcurlClient,
  libcurlRoots,
  runHttpSuite,
} from './http-clients.js';
import { wasmtlsClient } from './http-ours.js';

interface Config {
  wispUrl: string;
  httpsPort: number;
  h2Port: number;
  plainPort: number;
  freshPorts: number[];
  freshPlainPorts: number[];
  caPem: string;
  knobs: HttpKnobs;
}

const w = window as unknown as { __result?: unknown };
try {
  const cfg = (await (await fetch('./config.json')).json()) as Config;
  await init(fetch('./wasmtls.wasm'));
  const ua = /Chrom(e|ium)\/[\d.]+/.exec(navigator.userAgent)?.[0] ?? 'Chromium';
  const versions: Partial<Record<ClientName, string>> = { wasmtls: 'this checkout', 'no TLS': 'wasmtls fetch, http://' };
  const WS = WebSocket as unknown as Parameters<typeof wasmtlsClient>[2];
  w.__result = await runHttpSuite({
    runtime: ua.replace('Chrome', 'Chromium'),
    httpsPort: cfg.httpsPort,
    h2Port: cfg.h2Port,
    plainPort: cfg.plainPort,
    freshPorts: cfg.freshPorts,
    freshPlainPorts: cfg.freshPlainPorts,
    knobs: cfg.knobs,
    versions,
    log: (l) => console.log(l),
    factories: {
      wasmtls: () => wasmtlsClient(cfg.wispUrl, cfg.caPem, WS),
      'no TLS': () => wasmtlsClient(cfg.wispUrl, cfg.caPem, WS),
      'epoxy-tls': async () => {
        const m = epoxy as unknown as EpoxyFetchModule & { default(o: unknown): Promise<unknown> };
        await m.default({ module_or_path: fetch('./epoxy.wasm') });
        versions['epoxy-tls'] = m.info ? `${m.info.version}${m.info.minimal ? ' minimal' : ' full'}` : '?';
        return epoxyClient(m, cfg.wispUrl, cfg.caPem);
      },
      'libcurl.js': async () => {
        const lc = libcurl as Libcurl & { load_wasm(u: string): Promise<void> };
        const roots = libcurlRoots(cfg.caPem);
        roots.install();
        try {
          lc.logger = () => {};
          await lc.load_wasm('./libcurl.wasm');
        } finally {
          roots.done();
        }
        versions['libcurl.js'] = `${lc.version?.lib} (${lc.version?.ssl})`;
        return libcurlClient(lc, cfg.wispUrl);
      },
    },
  });
} catch (e) {
  w.__result = { error: String((e as Error)?.stack ?? e) };
}
