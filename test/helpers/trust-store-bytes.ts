/**
 * What one trust store of `ca` costs in wasm memory, measured apart: the
 * oracle of the tests that count how many stores a pool or a WebSocket
 * class holds (fetch and websocket share one TLS context).
 */
import { wasm } from '../../ts/core/loader.js';
import { TrustStore } from '../../ts/core/x509.js';

export function trustStoreBytes(ca: readonly string[]): number {
  const before = wasm().memoryUsage().used;
  const store = new TrustStore();
  try {
    for (const pem of ca) store.addPEM(pem);
    return wasm().memoryUsage().used - before;
  } finally {
    store.dispose();
  }
}
