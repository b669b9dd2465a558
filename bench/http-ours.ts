/**
 * wasmtls's two clients in bench/http.ts: `createFetch` (wasmtls/fetch)
 * with a `connect` that opens streams on one Wisp connection of ours, with
 * the test CA as its only root; and the same fetch for `http://` URLs (no
 * TLS, a plain Wisp stream): the ceiling.
 */
import { WispClient, type WebSocketLike } from '../ts/adapters/wisp.js';
import { TrustStore } from '../ts/core/x509.js';
import { createFetch } from '../ts/http/fetch.js';
import type { FetchClient } from './http-clients.js';

export async function wasmtlsClient(wispUrl: string, caPem: string, WS: new (url: string) => WebSocketLike): Promise<FetchClient> {
  const wisp = new WispClient(new WS(wispUrl));
  await wisp.ready;
  // Parsed once and shared, as an application would keep its roots.
  const ca = new TrustStore().addPEM(caPem);
  const f = createFetch({ connect: (host, port) => wisp.connect(host, port), ca });
  return {
    fetch: (url) => f(url),
    close: async () => {
      await f.close();
      await wisp.close();
    },
  };
}
