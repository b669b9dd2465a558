/**
 * What bounds connect()'s CPU per connection (issue #16): the client
 * engine's own time per handshake, with a server engine in memory and no
 * transport, as bench/handshake.ts's clients-alone row negotiates it
 * (P-256 ECDHE, TLS_AES_128_GCM_SHA256, an ECDSA P-256 chain verified).
 * Only the client's calls are timed (new Connection, its doHandshake
 * steps, the transfers into it, dispose); median of 500 after 100 warm.
 * `node bench/run.mjs engine-client`
 */
import { Connection, TLSContext } from '../ts/core/connection.js';
import { TrustStore } from '../ts/core/x509.js';
import { selfSigned } from './tlsfixture.js';
import { loadShared } from './util.js';
loadShared('simd');
const { key, cert } = selfSigned('p256');
const anchors = new TrustStore().addPEM(cert);
const cctx = new TLSContext({
  verify: 'chain',
  ca: anchors,
  groups: ['secp256r1'],
  suites: ['TLS_AES_128_GCM_SHA256'],
  minVersion: 'TLSv1.3',
});
const sctx = new TLSContext({ cert, key, groups: ['secp256r1'], minVersion: 'TLSv1.3' });
const times: number[] = [];
for (let i = 0; i < 600; i++) {
  let tc = 0;
  const t0 = performance.now();
  const c = new Connection(cctx);
  c.setConnectState();
  c.setServerName('localhost');
  tc += performance.now() - t0;
  const s = new Connection(sctx);
  s.setAcceptState();
  for (let k = 0; k < 10; k++) {
    let t = performance.now();
    const rc = c.doHandshake();
    tc += performance.now() - t;
    Connection.transfer(c, s, Infinity);
    s.doHandshake();
    t = performance.now();
    Connection.transfer(s, c, Infinity);
    tc += performance.now() - t;
    if (rc === 1 && c.network.pending() === 0) break;
  }
  Connection.transfer(c, s, Infinity);
  s.doHandshake();
  if (i === 0 && !c.isInitFinished) throw new Error(`client not done: ${c.error} / ${s.error}`);
  const t = performance.now();
  c.dispose();
  tc += performance.now() - t;
  s.dispose();
  if (i >= 100) times.push(tc);
}
times.sort((a, b) => a - b);
console.log(
  `client engine per handshake (in memory, P-256 ECDHE, ECDSA P-256 chain verified): median ${times[times.length >> 1].toFixed(3)} ms, p10 ${times[(times.length / 10) | 0].toFixed(3)} ms`,
);
