/**
 * Profiling aid for the tunnel's bulk row (bench/tunnel.ts): 64 MiB GETs
 * over one wasmtls connection through Wisp, in this Node process, against
 * the same servers (a child process), alternating with the no-TLS ceiling.
 * `node --cpu-prof --cpu-prof-dir=build/prof build/bench/tunnel-prof.mjs`
 * after `node bench/run.mjs tunnel-prof` has bundled it, or just
 * `node bench/run.mjs tunnel-prof`. BENCH_PROF_RUNS (default 3) and
 * BENCH_PROF_ONLY=tls|plain.
 */
import { WebSocket as WsWebSocket } from 'ws';
import { connect } from '../ts/api/tls.js';
import { WispClient } from '../ts/adapters/wisp.js';
import { initSync } from '../ts/core/loader.js';
import { TrustStore } from '../ts/core/x509.js';
import { startServers } from './harness.js';
import { readFileSync } from 'node:fs';
import { wasmFile } from './util.js';

// BENCH_PROF_WASM: a module linked with --profiling-funcs, for names in the profile.
initSync(process.env.BENCH_PROF_WASM ? new Uint8Array(readFileSync(process.env.BENCH_PROF_WASM)) : wasmFile('simd'));
const runs = Number(process.env.BENCH_PROF_RUNS ?? 3);
const only = process.env.BENCH_PROF_ONLY ?? '';
let opened: Promise<{ cipher: string }> | undefined;
const servers = await startServers();
const info = servers.info;
const enc = new TextEncoder();

async function getBig(
  r: ReadableStreamDefaultReader<Uint8Array>,
  w: WritableStreamDefaultWriter<Uint8Array>,
  path: string,
): Promise<number> {
  await w.write(enc.encode(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
  let head = '';
  let len = -1;
  let body = 0;
  for (;;) {
    const x = await r.read();
    if (x.done) throw new Error('eof');
    if (len < 0) {
      head += Buffer.from(x.value).toString('latin1');
      const at = head.indexOf('\r\n\r\n');
      if (at < 0) continue;
      len = Number(/content-length: *(\d+)/i.exec(head)![1]);
      body = head.length - at - 4;
    } else body += x.value.length;
    if (body >= len) return len;
  }
}

try {
  const wisp = new WispClient(new WsWebSocket(info.wispUrl) as never);
  await wisp.ready;
  const ca = new TrustStore().addPEM(info.caPem);
  for (let i = 0; i < runs; i++) {
    for (const kind of ['tls', 'plain']) {
      if (only && only !== kind) continue;
      let r: ReadableStreamDefaultReader<Uint8Array>, w: WritableStreamDefaultWriter<Uint8Array>, close: () => Promise<void>;
      if (kind === 'tls') {
        const s = connect({
          transport: wisp.connect('localhost', info.httpsPort),
          servername: 'localhost',
          ca,
          ALPNProtocols: ['http/1.1'],
        });
        s.closed.catch(() => {});
        opened = s.opened;
        r = s.readable.getReader();
        w = s.writable.getWriter();
        close = () => s.close();
      } else {
        const t = wisp.connect('localhost', info.plainPort);
        r = t.readable.getReader();
        w = t.writable.getWriter();
        close = () => t.close();
      }
      await getBig(r, w, '/small');
      if (kind === 'tls' && i === 0) console.log((await opened)?.cipher);
      const t0 = performance.now();
      const u0 = process.cpuUsage();
      const n = await getBig(r, w, '/big');
      const dt = performance.now() - t0;
      const u = process.cpuUsage(u0);
      // CPU of this process per MB: steadier than MB/s on a loaded machine.
      console.log(`${kind} ${(n / 1e6 / (dt / 1000)).toFixed(1)} MB/s, ${((u.user + u.system) / 1000 / (n / 1e6)).toFixed(2)} CPU ms/MB`);
      await close();
    }
  }
  await wisp.close();
} finally {
  servers.stop();
}
process.exit(0);
