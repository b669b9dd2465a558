/**
 * What bench/tunnel.ts's "client CPU per sequential connection" row does
 * for wasmtls in Node (connect() over a WispClient, GET /small, read it,
 * close), beside the same requests without TLS, in interleaved rounds; the
 * servers run in their own process (harness.startServers), so this
 * process's CPU (and a profile of it) holds the client alone:
 *
 *   node --cpu-prof --cpu-prof-dir=build/prof bench/run.mjs tunnel-profile
 *
 *   PROFILE_N=n        connections per round (default 200)
 *   PROFILE_ROUNDS=r   rounds (default 5)
 *
 * Prints the client CPU per connection (process.cpuUsage), median over
 * the rounds, with and without TLS, and the TLS work alone (the difference).
 */
import { WebSocket as WsWebSocket } from 'ws';
import { WispClient } from '../ts/adapters/wisp.js';
import { connect } from '../ts/api/tls.js';
import { TrustStore } from '../ts/core/x509.js';
import { startServers } from './harness.js';
import { loadShared } from './util.js';

loadShared('simd');
const N = Number(process.env.PROFILE_N ?? 200);
const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 5);
const servers = await startServers();
const info = servers.info;
const wisp = new WispClient(new WsWebSocket(info.wispUrl) as never);
await wisp.ready;
const ca = new TrustStore().addPEM(info.caPem);
const request = new TextEncoder().encode('GET /small HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wasmtls-tunnel-bench\r\n\r\n');

/** GET /small and read the whole answer (its Content-Length). */
async function get(reader: ReadableStreamDefaultReader<Uint8Array>, writer: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  await writer.write(request);
  let text = '';
  let need = -1;
  let got = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) throw new Error('ended before the body');
    if (need < 0) {
      text += new TextDecoder().decode(r.value);
      const at = text.indexOf('\r\n\r\n');
      if (at < 0) continue;
      need = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? -1) + at + 4;
      got = text.length;
    } else got += r.value.length;
    if (got >= need) return;
  }
}

async function tls(): Promise<void> {
  const s = connect({ transport: wisp.connect('localhost', info.httpsPort), servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] });
  s.closed.catch(() => {});
  await get(s.readable.getReader(), s.writable.getWriter());
  await s.close();
}

async function plain(): Promise<void> {
  const t = wisp.connect('localhost', info.plainPort);
  await get(t.readable.getReader(), t.writable.getWriter());
  await t.close();
}

async function round(fn: () => Promise<void>): Promise<number> {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn();
  const cu = process.cpuUsage(c0);
  return (cu.user + cu.system) / 1000 / N;
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (let i = 0; i < 20; i++) {
  await tls();
  await plain();
}
const t: number[] = [];
const p: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  t.push(await round(tls));
  p.push(await round(plain));
}
console.log(
  `client CPU per connection through Wisp: wasmtls ${med(t).toFixed(3)} ms, no TLS ${med(p).toFixed(3)} ms; ` +
    `TLS work alone ${(med(t) - med(p)).toFixed(3)} ms`,
);
wisp.close();
servers.stop();
process.exit(0);
