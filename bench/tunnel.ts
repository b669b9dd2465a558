/**
 * TLS through a Wisp tunnel, wasmtls beside npm `@mercuryworkshop/epoxy-tls`
 * (rustls in wasm), in Node and in a Chromium page, in the same run:
 *
 *   client (Node / page) --WebSocket--> wisp-js server --TCP--> HTTPS origin
 *
 * all on 127.0.0.1 (servers in a child process: tunnel-servers.ts). Per
 * runtime and implementation: time to first byte of a fresh TLS connection
 * over the open Wisp connection, MB/s of 64 MiB over one connection,
 * sequential handshakes/s (connect, GET /small, close), and the body bytes
 * delivered when the origin closes right after responding, with and
 * without close_notify. The measurements are in tunnel-clients.ts.
 *
 * epoxy-tls: its full build (the minimal one has no custom roots) of the
 * 2.x version package.json pins (1.5.0, npm's `latest` tag, has no way to
 * add a root); `pem_files` holds the test CA.
 *
 * `node bench/run.mjs tunnel` (about 2 minutes); BENCH_TUNNEL_QUICK=1
 * shortens every phase; BENCH_TUNNEL_SKIP=node|chromium skips one part.
 */
import type { Plugin } from 'esbuild';
import { WebSocket as WsWebSocket } from 'ws';
import { initSync } from '../ts/core/loader.js';
import { epoxyDir, epoxyInNode, root, runPage, startServers, type ServerInfo } from './harness.js';
import { IMPLS, median, runSuite, type EpoxyModule, type Knobs, type TunnelResults } from './tunnel-clients.js';
import { table, wasmFile } from './util.js';

const quick = process.env.BENCH_TUNNEL_QUICK === '1';
const skip = process.env.BENCH_TUNNEL_SKIP ?? '';

const knobs: Knobs = quick
  ? { ttfbSamples: 5, bulkRuns: 1, handshakeRounds: 2, handshakeRoundMs: 300, closeSizes: [1000, 1 << 20], closeRepeats: 1 }
  : {
      ttfbSamples: 25,
      bulkRuns: 3,
      // BENCH_TUNNEL_HS_ROUNDS: more rounds, for a steadier connections/s ratio on a loaded machine.
      handshakeRounds: Number(process.env.BENCH_TUNNEL_HS_ROUNDS ?? 4),
      handshakeRoundMs: 700,
      closeSizes: [1000, 100_000, 1 << 20],
      closeRepeats: 3,
    };

async function inNode(info: ServerInfo, dir: string): Promise<TunnelResults> {
  initSync(wasmFile('simd'));
  const epoxy = await epoxyInNode<EpoxyModule>(dir);
  return runSuite({
    ...info,
    runtime: `Node ${process.version}`,
    WebSocket: WsWebSocket as never,
    epoxy,
    knobs,
    cpuMs: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    log: (l) => console.log(l),
  });
}

async function inChromium(info: ServerInfo, dir: string): Promise<TunnelResults> {
  const epoxyAlias: Plugin = {
    name: 'epoxy-full',
    setup(b) {
      b.onResolve({ filter: /^epoxy-full$/ }, () => ({ path: `${dir}/full/epoxy.js` }));
    },
  };
  return runPage<TunnelResults>({
    name: 'tunnel-page',
    entry: `${root}bench/tunnel-page.ts`,
    plugins: [epoxyAlias],
    files: { 'wasmtls.wasm': `${root}dist/wasmtls.wasm`, 'epoxy.wasm': `${dir}/full/epoxy.wasm` },
    config: { ...info, knobs },
    timeoutMs: 180_000,
    // BENCH_TUNNEL_CPUPROFILE=file.cpuprofile: the page's CPU profile
    // (Chrome DevTools format), to see where the page spends its time.
    cpuProfile: process.env.BENCH_TUNNEL_CPUPROFILE,
  });
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const x2 = (x: number): string => `${x.toFixed(2)}x`;

function report(r: TunnelResults): { ok: boolean } {
  const m = (k: 'ttfbMs' | 'mbs' | 'hps') => IMPLS.map((i) => median(r[k][i]));
  const [tO, tE] = m('ttfbMs');
  const [bO, bE] = m('mbs');
  const [hO, hE] = m('hps');
  const [tP, bP, hP] = [median(r.plain.ttfbMs), median(r.plain.mbs), median(r.plain.hps)];
  console.log(
    `\n${r.runtime}: wasmtls vs epoxy-tls ${r.epoxyVersion}, one wisp-js server, origin on 127.0.0.1 ` +
      `(medians: TTFB of ${r.ttfbMs.wasmtls.length}, MB/s of ${r.mbs.wasmtls.length}, handshakes/s of ${r.hps.wasmtls.length} rounds); ` +
      'last column: the same requests over plain HTTP through the same tunnel (no TLS), the ceiling a TLS client can reach',
  );
  const bulkMet = bO / bE >= 5;
  const hsMet = hO / hE >= 3;
  table(
    ['metric', 'wasmtls', 'epoxy-tls', 'wasmtls/epoxy', 'target', 'met', 'no TLS'],
    [
      ['time to first byte, fresh connection', ms(tO), ms(tE), x2(tO / tE), '-', '-', ms(tP)],
      ['MB/s, 64 MiB over one connection', bO, bE, x2(bO / bE), '>= 5x', bulkMet ? 'yes' : 'NO', bP],
      ['sequential connections/s (connect, GET, close)', hO, hE, x2(hO / hE), '>= 3x', hsMet ? 'yes' : 'NO', hP],
      ['  the same, wasmtls offering the previous session', median(r.hpsResumed), hE, x2(median(r.hpsResumed) / hE), '-', '-', hP],
    ],
  );
  console.log(
    'epoxy-tls resumes by itself (rustls keeps the tickets per server name); wasmtls resumes when given the ' +
      'previous session (connect({ session }), as its fetch() does per origin); the row above it is full handshakes',
  );
  if (r.cpuPerConn.wasmtls.length) {
    const [cO, cE, cP] = [median(r.cpuPerConn.wasmtls), median(r.cpuPerConn['epoxy-tls']), median(r.cpuPerConn['no TLS'])];
    console.log(
      `client CPU per sequential connection (this process; the servers run in another): wasmtls ${ms(cO)}, ` +
        `epoxy-tls ${ms(cE)}, no TLS ${ms(cP)}; TLS work alone (minus no-TLS): wasmtls ${ms(cO - cP)}, epoxy-tls ${ms(cE - cP)} ` +
        `= ${x2((cE - cP) / (cO - cP))} less for wasmtls`,
    );
  }
  if (r.wispSent) {
    const t = Object.entries(r.wispSent).map(([k, v]) => `${k} ${v.connect} CONNECT, ${v.close} CLOSE`);
    console.log(
      `Wisp streams opened and closed (packets sent over the run): ${t.join('; ')} ` +
        '(a stream never closed stays open at the relay and the origin: no teardown work there)',
    );
  }
  console.log(
    `share of the no-TLS ceiling: MB/s wasmtls ${((100 * bO) / bP).toFixed(0)}%, epoxy-tls ${((100 * bE) / bP).toFixed(0)}%; ` +
      `connections/s wasmtls ${((100 * hO) / hP).toFixed(0)}%, epoxy-tls ${((100 * hE) / hP).toFixed(0)}%`,
  );
  console.log(`\n${r.runtime}: origin closes right after an N-byte body (min bytes delivered over the repeats)`);
  table(
    ['origin ends with', 'N', 'client', 'delivered', 'lost', 'runs lost', 'how the stream ended'],
    r.close.map((c) => [
      c.variant === 'abrupt' ? 'TCP close, no close_notify' : 'close_notify',
      String(c.n),
      `${c.impl} ${c.mode}`,
      String(c.minReceived) + (c.corrupt ? ' CORRUPT' : ''),
      String(c.n - c.minReceived),
      String(c.lostRuns),
      c.outcome.length > 70 ? `${c.outcome.slice(0, 67)}...` : c.outcome,
    ]),
  );
  const ours = r.close.filter((c) => c.impl === 'wasmtls');
  const noLoss = ours.every((c) => c.minReceived === c.n && !c.corrupt);
  const theirsLost = r.close.filter((c) => c.impl === 'epoxy-tls' && c.lostRuns > 0).length;
  console.log(
    `never a lost byte (wasmtls, every case): ${noLoss ? 'yes' : 'NO'}; epoxy-tls lost bytes in ${theirsLost} of ` +
      `${r.close.filter((c) => c.impl === 'epoxy-tls').length} cases`,
  );
  return { ok: bulkMet && hsMet && noLoss };
}

const dir = epoxyDir();
const servers = await startServers();
const results: TunnelResults[] = [];
try {
  if (skip !== 'node') results.push(await inNode(servers.info, dir));
  if (skip !== 'chromium') results.push(await inChromium(servers.info, dir));
} finally {
  servers.stop();
}
console.log(
  '\nReference, from the issue (this machine kind): epoxy-tls ~10 MB/s in Chromium, ~17 MB/s in Node, ' +
    '~95 handshakes/s, ~19 ms to first byte.',
);
const all = results.map(report);
console.log(`\nall targets met: ${all.every((a) => a.ok) ? 'yes' : 'NO'}`);
// The Node clients leave epoxy-tls's WebSocket open (it has no close).
process.exit(0);
