/**
 * One sequential connection's timeline through Wisp in Chromium, wasmtls
 * beside the no-TLS stream (bench/tunnel-trace-page.ts): where the time
 * of bench/tunnel.ts's sequential connections/s row goes. Prints the
 * median time of each step over BENCH_TRACE_SAMPLES (default 30) samples
 * after 10 warm-up ones, and one sample's marks.
 * `node bench/run.mjs tunnel-trace`
 */
import { root, runPage, startServers } from './harness.js';

const samples = Number(process.env.BENCH_TRACE_SAMPLES ?? 30);
const servers = await startServers();
try {
  const r = await runPage<Record<string, [number, string][][]>>({
    name: 'tunnel-trace',
    entry: `${root}bench/tunnel-trace-page.ts`,
    files: { 'wasmtls.wasm': process.env.BENCH_PROF_WASM ?? `${root}dist/wasmtls.wasm` },
    config: { ...servers.info, samples: samples + 10, calls: process.env.BENCH_TRACE_CALLS === '1' },
    timeoutMs: 120_000,
    cpuProfile: process.env.BENCH_TRACE_CPUPROFILE,
  });
  for (const [kind, runs] of Object.entries(r)) {
    const kept = runs.slice(10);
    // Steps are matched by position: every sample of one kind has the same sequence.
    const n = Math.min(...kept.map((m) => m.length));
    console.log(`\n${kind}: median ms since connect() of each step (${kept.length} samples)`);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const ts = kept.map((m) => m[i][0]).sort((a, b) => a - b);
      const med = ts[ts.length >> 1];
      console.log(`${med.toFixed(2).padStart(8)}  +${(med - prev).toFixed(2).padStart(6)}  ${kept[0][i][1]}`);
      prev = med;
    }
  }
} finally {
  servers.stop();
}
process.exit(0);
