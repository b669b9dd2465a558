/**
 * One GET with wasmtls/fetch, the same code in a Chromium page, a module
 * Web Worker (both `wispFetch` through the wisp-js server, the browser's
 * own WebSocket) and workerd (`createFetch` with a `connect` on
 * `cloudflare:sockets`, see http-fetch-workerd.ts). Bundled by
 * test/http-runtimes.test.ts, which bakes the parameters into the bundle.
 * Reports the status, the protocol the origin says it served, and the
 * body's length and SHA-256 (WebCrypto), which the test compares with
 * Node's own fetch of the same URL.
 */
import { init, type WasmSource } from '../../ts/core/loader.js';
import { createFetch, type FetchOptions, wispFetch } from '../../ts/http/fetch.js';

export interface FetchParams {
  wispUrl: string;
  url: string;
  caPem: string;
}

export interface FetchReport {
  status?: number;
  httpVersion?: string | null;
  contentType?: string | null;
  bodyLength?: number;
  bodySha256?: string;
  error?: string;
}

const hex = (b: ArrayBuffer): string => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

async function report(f: (u: string) => Promise<Response>, url: string): Promise<FetchReport> {
  const r = await f(url);
  const body = await r.arrayBuffer();
  return {
    status: r.status,
    httpVersion: r.headers.get('x-http-version'),
    contentType: r.headers.get('content-type'),
    bodyLength: body.byteLength,
    bodySha256: hex(await crypto.subtle.digest('SHA-256', body)),
  };
}

/** Through a Wisp server (page, worker). */
export async function runWisp(source: WasmSource, p: FetchParams): Promise<FetchReport> {
  try {
    await init(source);
    const f = wispFetch(p.wispUrl, { ca: p.caPem });
    try {
      return await report(f, p.url);
    } finally {
      await f.close();
    }
  } catch (e) {
    return { error: String((e as Error)?.stack ?? e) + ((e as Error)?.cause ? ` cause: ${String((e as Error).cause)}` : '') };
  }
}

/** Through any `connect` (workerd: cloudflare:sockets). */
export async function runConnect(source: WasmSource, p: FetchParams, connect: FetchOptions['connect']): Promise<FetchReport> {
  try {
    await init(source);
    const f = createFetch({ connect, ca: p.caPem });
    try {
      return await report(f, p.url);
    } finally {
      await f.close();
    }
  } catch (e) {
    return { error: String((e as Error)?.stack ?? e) + ((e as Error)?.cause ? ` cause: ${String((e as Error).cause)}` : '') };
  }
}
