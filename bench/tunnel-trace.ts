/**
 * One sequential connection's timeline through Wisp in Chromium, wasmtls
 * beside epoxy-tls and the no-TLS stream (bench/tunnel-trace-page.ts):
 * where the time of bench/tunnel.ts's sequential connections/s row goes.
 * Every Wisp packet either client sends or receives is a mark (type,
 * stream, length, first TLS record type). Prints the median time of each
 * step over BENCH_TRACE_SAMPLES (default 30) samples after 10 warm-up
 * ones, and how many CONNECT / CLOSE each kind sent.
 * `node bench/run.mjs tunnel-trace`
 *
 * BENCH_TRACE_KINDS (comma-separated; default wasmtls,epoxy-tls,plain):
 * also wasmtls-resume (offers the previous session), wasmtls-abort (ends
 * by writer.abort(): no close_notify), wasmtls-leak (never closed, as
 * epoxy-tls's streams are never closed), wasmtls-resume-leak.
 * BENCH_TRACE_PER_ROUND=N: N connections of a kind back to back (as the
 * connections/s rounds), kinds taking turns. BENCH_TRACE_PACKETS=0: no
 * packet marks. BENCH_TRACE_CALLS=1: the engine calls too.
 */
import type { Plugin } from 'esbuild';
import { epoxyDir, root, runPage, startServers } from './harness.js';

const samples = Number(process.env.BENCH_TRACE_SAMPLES ?? 30);
const dir = epoxyDir();
const epoxyAlias: Plugin = {
  name: 'epoxy-full',
  setup(b) {
    b.onResolve({ filter: /^epoxy-full$/ }, () => ({ path: `${dir}/full/epoxy.js` }));
  },
};
const servers = await startServers();
try {
  const { timelines: r, serverCpuMs } = await runPage<{
    timelines: Record<string, [number, string][][]>;
    serverCpuMs: Record<string, number[]>;
  }>({
    name: 'tunnel-trace',
    entry: `${root}bench/tunnel-trace-page.ts`,
    plugins: [epoxyAlias],
    files: { 'wasmtls.wasm': process.env.BENCH_PROF_WASM ?? `${root}dist/wasmtls.wasm`, 'epoxy.wasm': `${dir}/full/epoxy.wasm` },
    config: {
      ...servers.info,
      samples: samples + 10,
      calls: process.env.BENCH_TRACE_CALLS === '1',
      kinds: process.env.BENCH_TRACE_KINDS?.split(','),
      packets: process.env.BENCH_TRACE_PACKETS !== '0',
      perRound: Number(process.env.BENCH_TRACE_PER_ROUND ?? 1),
    },
    timeoutMs: 120_000,
    cpuProfile: process.env.BENCH_TRACE_CPUPROFILE,
  });
  for (const [kind, runs] of Object.entries(r)) {
    // Steps are matched by position among the samples whose sequence of
    // steps is the most common one (a packet of the previous connection
    // arriving late changes the sequence).
    const seqs = new Map<string, [number, string][][]>();
    for (const m of runs.slice(10)) {
      const key = m.map((x) => x[1].replace(/#\d+ /, '')).join('|');
      seqs.set(key, [...(seqs.get(key) ?? []), m]);
    }
    // Packets over all samples: does the client close its streams, and do
    // packets of an earlier stream arrive during the next connection?
    const count = (re: RegExp): number => runs.reduce((n, m) => n + m.filter((x) => re.test(x[1])).length, 0);
    console.log(
      `\n${kind}: over ${runs.length} samples: ${count(/^ws out CLOSE/)} CLOSE sent, ${count(/^ws in {2}CLOSE/)} CLOSE received, ` +
        `${count(/^ws out CONNECT/)} CONNECT sent`,
    );
    const kept = [...seqs.values()].sort((a, b) => b.length - a.length)[0];
    const n = kept[0].length;
    console.log(`\n${kind}: median ms since the start of each step (${kept.length} of ${runs.length - 10} samples have this sequence)`);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const ts = kept.map((m) => m[i][0]).sort((a, b) => a - b);
      const med = ts[ts.length >> 1];
      console.log(`${med.toFixed(2).padStart(8)}  +${(med - prev).toFixed(2).padStart(6)}  ${kept[0][i][1]}`);
      prev = med;
    }
  }
  console.log('\nserver process (relay and origin) CPU ms per connection, median of the rounds:');
  for (const [kind, xs] of Object.entries(serverCpuMs)) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(`${sorted[sorted.length >> 1].toFixed(2).padStart(8)}  ${kind} (${xs.length} rounds)`);
  }
} finally {
  servers.stop();
}
process.exit(0);
