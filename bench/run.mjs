// Runs a benchmark: `node bench/run.mjs <name>` bundles bench/<name>.ts
// with esbuild (npm packages stay external) and runs it in this Node.
// Build first (bash build.sh): the benchmarks load dist/wasmtls*.wasm.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error(
    'usage: node bench/run.mjs <hash|aead|pk|handshake|bulk|tunnel|http|conns|cold> [...]  (cold: start-up in fresh Node processes, Chromium pages and workerd instances, npm run bench:cold, ~1-3 min; tunnel: Node + Chromium through Wisp, ~3 min; http: fetch() beside epoxy-tls and libcurl.js, npm run bench:http, ~4 min; conns: 10,000 connections and 4 GiB of memory, npm run bench:conns; neither in npm run bench)',
  );
  process.exit(2);
}
const root = new URL('../', import.meta.url);
mkdirSync(new URL('build/bench/', root), { recursive: true });
for (const name of names) {
  const out = new URL(`build/bench/${name}.mjs`, root);
  await build({
    entryPoints: [new URL(`bench/${name}.ts`, root).pathname],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: out.pathname,
    logLevel: 'error',
  });
  await import(pathToFileURL(out.pathname).href);
}
