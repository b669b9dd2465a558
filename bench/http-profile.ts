/**
 * What bench/http.ts's HTTP/1.1 rows do, in Node only, for one client at a
 * time, so it can be profiled alone:
 *
 *   node --cpu-prof --cpu-prof-dir=build/prof bench/run.mjs http-profile
 *
 *   PROFILE_CLIENT=wasmtls|no TLS|epoxy-tls   (default wasmtls)
 *   PROFILE_ROW=h1|ttfb                       (default h1)
 *   PROFILE_N=n                               requests (h1) or fresh connections (ttfb)
 *
 * Prints the rate (h1) or the median time to the response head (ttfb).
 * The servers run in their own process, as in bench/http.ts, so the
 * profile holds the client alone.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { initSync } from '../ts/core/loader.js';
import { epoxyDir, epoxyInNode, startServers } from './harness.js';
import { type ClientName, type EpoxyFetchModule, epoxyClient, type FetchClient, median } from './http-clients.js';
import { wasmtlsClient } from './http-ours.js';
import { wasmFile } from './util.js';

const name = (process.env.PROFILE_CLIENT ?? 'wasmtls') as ClientName;
const row = process.env.PROFILE_ROW ?? 'h1';
const n = Number(process.env.PROFILE_N ?? (row === 'h1' ? 2000 : 40));

initSync(wasmFile('simd'));
// PROFILE_COUNT=1: count the WebSocket messages each way per request.
const counts = { sent: 0, sentBytes: 0, received: 0 };
// PROFILE_TRACE=1: each WebSocket message of the measured fetches, with its time.
const trace: string[] = [];
let traceT0 = -1;
const note = (dir: string, d: unknown): void => {
  if (traceT0 < 0) return;
  const b = d instanceof ArrayBuffer ? new Uint8Array(d) : (d as Uint8Array);
  const types = ['?', 'CONNECT', 'DATA', 'CONTINUE', 'CLOSE', 'INFO'];
  const tls = b[0] === 2 && b.byteLength > 5 ? ` tls ${b[5]}` : '';
  trace.push(
    `${(performance.now() - traceT0).toFixed(2).padStart(7)} ms ${dir} ${types[b[0]] ?? b[0]} stream ${new DataView(b.buffer, b.byteOffset).getUint32(1, true)} ${b.byteLength} B${tls}`,
  );
};
if (process.env.PROFILE_COUNT === '1' || process.env.PROFILE_TRACE === '1') {
  const proto = WsWebSocket.prototype as unknown as {
    send(d: Uint8Array, ...a: unknown[]): void;
    emit(e: string, ...a: unknown[]): boolean;
  };
  const send = proto.send;
  proto.send = function (this: unknown, d: Uint8Array, ...a: unknown[]) {
    counts.sent++;
    counts.sentBytes += d.byteLength ?? 0;
    note('->', d);
    return send.call(this, d, ...a);
  };
  const emit = proto.emit;
  proto.emit = function (this: unknown, e: string, ...a: unknown[]) {
    if (e === 'message') {
      counts.received++;
      note('<-', a[0]);
    }
    return emit.call(this, e, ...a);
  };
}
const servers = await startServers();
const info = servers.info;
let c: FetchClient;
if (name === 'epoxy-tls') c = epoxyClient(await epoxyInNode<EpoxyFetchModule>(epoxyDir()), info.wispUrl, info.caPem);
else c = await wasmtlsClient(info.wispUrl, info.caPem, WsWebSocket as never);
const base = name === 'no TLS' ? `http://localhost:${info.plainPort}` : `https://localhost:${info.httpsPort}`;
const get = async (url: string): Promise<number> => {
  const t0 = performance.now();
  const r = await c.fetch(url);
  const t = performance.now() - t0;
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
  await r.text();
  return t;
};
try {
  for (let i = 0; i < 50; i++) await get(`${base}/small`);
  if (row === 'h1') {
    const t0 = performance.now();
    Object.assign(counts, { sent: 0, sentBytes: 0, received: 0 });
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await get(`${base}/small`);
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `client CPU per request: ${((cpu.user + cpu.system) / n).toFixed(0)} us (user ${(cpu.user / n).toFixed(0)}, system ${(cpu.system / n).toFixed(0)})`,
    );
    if (process.env.PROFILE_COUNT === '1')
      console.log(
        `per request: ${(counts.sent / n).toFixed(2)} messages sent (${(counts.sentBytes / n).toFixed(0)} bytes), ${(counts.received / n).toFixed(2)} received`,
      );
    console.log(`${name} h1: ${((n * 1000) / (performance.now() - t0)).toFixed(0)} req/s (${n} GETs)`);
  } else {
    const ports = name === 'no TLS' ? info.freshPlainPorts : info.freshPorts;
    // PROFILE_BIG=1: first a 64 MiB body over HTTP/1.1 (as bench/http.ts's
    // MB/s row runs just before its time-to-first-byte row): its garbage is
    // then collected during the fresh connections that follow.
    if (process.env.PROFILE_BIG === '1') {
      const r = await c.fetch(`${base}/big/${64 << 20}`);
      await r.arrayBuffer();
    }
    const xs: number[] = [];
    for (let i = 0; i < Math.min(n, ports.length); i++) {
      if (process.env.PROFILE_TRACE === '1' && i === xs.length && i === 5) traceT0 = performance.now();
      xs.push(await get(`${name === 'no TLS' ? 'http' : 'https'}://localhost:${ports[i]}/small`));
      if (traceT0 >= 0) {
        trace.push(`${(performance.now() - traceT0).toFixed(2).padStart(7)} ms response head (fetch resolved)`);
        console.log(trace.join('\n'));
        traceT0 = -1;
      }
    }
    console.log(
      `${name} ttfb: median ${median(xs).toFixed(2)} ms of ${xs.length} (min ${Math.min(...xs).toFixed(2)}; first three ${xs
        .slice(0, 3)
        .map((x) => x.toFixed(2))
        .join(', ')})`,
    );
  }
} finally {
  await Promise.race([c.close(), new Promise((r) => setTimeout(r, 2000))]);
  servers.stop();
}
process.exit(0);
