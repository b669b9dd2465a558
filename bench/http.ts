/**
 * `fetch()` through a Wisp tunnel: wasmtls (wasmtls/fetch) beside npm
 * `@mercuryworkshop/epoxy-tls` and npm `libcurl.js`, in Node and in a
 * Chromium page, in the same run:
 *
 *   client (Node / page) --WebSocket--> wisp-js server --TCP--> origin
 *
 * all on 127.0.0.1, the servers in a child process (tunnel-servers.ts:
 * node:https with ALPN http/1.1, node:http2 with ALPN h2, node:http for
 * the no-TLS ceiling). Rows (http-clients.ts): req/s of small GETs over
 * HTTP/1.1 keep-alive and over HTTP/2, MB/s of one 64 MiB body, time to
 * the response head on a fresh connection; medians of BENCH_RUNS runs.
 * In Node, a second table gives each client's CPU per request over the
 * same requests as the two req/s rows (process.cpuUsage() of this process;
 * the servers are in their own): through one wisp-js server the req/s is
 * bounded by that server's CPU per request, the same for every client.
 *
 * Trust is the same for every client: the test CA and nothing else
 * (wasmtls `ca`, epoxy-tls `pem_files`, libcurl.js: its compiled-in bundle
 * replaced, see libcurlRoots()). Certificates are verified by all three.
 *
 *   node bench/run.mjs http          (npm run bench:http; ~4 minutes)
 *   BENCH_RUNS=n        runs per cell (default 5)
 *   BENCH_HTTP_SKIP=node|chromium    skip one runtime
 *   BENCH_SMOKE=1       one tiny run of wasmtls's rows in Node (the test)
 *   BENCH_HTTP_ROTATE=0 every run starts every row with wasmtls (the default
 *                       rotates: run i starts with client i mod 3, so no client
 *                       always comes right after the MB/s row; HttpKnobs.rotate)
 *
 * Exits 1 when any cell failed (the error is in the table).
 */
import type { Plugin } from 'esbuild';
import { WebSocket as WsWebSocket } from 'ws';
import { initSync } from '../ts/core/loader.js';
import { epoxyDir, epoxyInNode, root, runPage, startServers, type ServerInfo } from './harness.js';
import {
  CLIENTS,
  CPU_METRICS,
  epoxyClient,
  errorText,
  HIGHER_IS_BETTER,
  libcurlClient,
  libcurlRoots,
  median,
  METRIC_LABEL,
  METRICS,
  type ClientName,
  type EpoxyFetchModule,
  type HttpKnobs,
  type HttpResults,
  type Libcurl,
  runHttpSuite,
} from './http-clients.js';
import { wasmtlsClient } from './http-ours.js';
import { BIG_BYTES } from './tunnel-origin.js';
import { fmt, table, wasmFile } from './util.js';

const smoke = process.env.BENCH_SMOKE === '1';
const skip = process.env.BENCH_HTTP_SKIP ?? (smoke ? 'chromium' : '');
const knobs: HttpKnobs = smoke
  ? { runs: 1, requests: 10, bigBytes: 1 << 20, ttfbSamples: 2, clients: ['wasmtls', 'no TLS'] }
  : {
      runs: Number(process.env.BENCH_RUNS ?? 5),
      requests: 200,
      bigBytes: BIG_BYTES,
      ttfbSamples: 3,
      clients: [...CLIENTS],
      rotate: process.env.BENCH_HTTP_ROTATE !== '0',
    };

/** libcurl.js in Node. Its wasm is built for the web and workers only
 * (emscripten ENVIRONMENT=web,worker: it asserts it is not in Node); its
 * code needs nothing of Node, so it is loaded as a worker would see it:
 * `process` hidden while the module evaluates, `self`, `location` and
 * `importScripts` present, `WebSocket` from npm `ws`. The bundled build
 * (wasm inlined) saves fetching the wasm by URL. */
async function libcurlInNode(caPem: string): Promise<Libcurl> {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket ??= WsWebSocket;
  g.self ??= globalThis;
  g.location ??= { href: 'http://localhost/' };
  g.importScripts ??= () => {};
  // Its default User-Agent header (Node 20 has no navigator).
  g.navigator ??= { userAgent: 'wasmtls-http-bench (Node)' };
  // Its Wisp client dispatches CloseEvents when a stream closes; Node 20
  // has no CloseEvent (Node 23 has).
  g.CloseEvent ??= class CloseEvent extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
    constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
      super(type);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? '';
      this.wasClean = init.wasClean ?? false;
    }
  };
  const proc = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
  const roots = libcurlRoots(caPem);
  roots.install();
  let lc: Libcurl & { load_wasm(u: string): Promise<void> };
  try {
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    // A specifier in a variable: libcurl.js ships no types.
    const spec: string = 'libcurl.js/bundled';
    try {
      lc = ((await import(spec)) as { libcurl: typeof lc }).libcurl;
    } finally {
      Object.defineProperty(globalThis, 'process', proc);
    }
    // Its errors go to console.warn by default; they are in the table.
    lc.logger = () => {};
    await lc.load_wasm('');
  } finally {
    roots.done();
  }
  return lc;
}

/** Errors thrown outside any measurement (a peer's event handler): they
 * cannot be put in a cell, so they are listed and fail the run. */
const uncaught: string[] = [];

async function inNode(info: ServerInfo, dir: string): Promise<HttpResults> {
  process.on('uncaughtException', (e) => {
    console.log(`uncaught error (from a client's event handler): ${errorText(e)}`);
    uncaught.push(`Node: uncaught: ${errorText(e)}`);
  });
  initSync(wasmFile('simd'));
  const versions: Partial<Record<ClientName, string>> = { wasmtls: 'this checkout', 'no TLS': 'wasmtls fetch, http://' };
  return runHttpSuite({
    runtime: `Node ${process.version}`,
    httpsPort: info.httpsPort,
    h2Port: info.h2Port,
    plainPort: info.plainPort,
    freshPorts: info.freshPorts,
    freshPlainPorts: info.freshPlainPorts,
    knobs,
    versions,
    log: (l) => console.log(l),
    cpuMicros: () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    },
    factories: {
      wasmtls: () => wasmtlsClient(info.wispUrl, info.caPem, WsWebSocket as never),
      'no TLS': () => wasmtlsClient(info.wispUrl, info.caPem, WsWebSocket as never),
      'epoxy-tls': async () => {
        const epoxy = await epoxyInNode<EpoxyFetchModule>(dir);
        versions['epoxy-tls'] = epoxy.info ? `${epoxy.info.version}${epoxy.info.minimal ? ' minimal' : ' full'}` : '?';
        return epoxyClient(epoxy, info.wispUrl, info.caPem);
      },
      'libcurl.js': async () => {
        const lc = await libcurlInNode(info.caPem);
        versions['libcurl.js'] = `${lc.version?.lib} (${lc.version?.ssl})`;
        return libcurlClient(lc, info.wispUrl);
      },
    },
  });
}

async function inChromium(info: ServerInfo, dir: string): Promise<HttpResults> {
  const epoxyAlias: Plugin = {
    name: 'epoxy-full',
    setup(b) {
      b.onResolve({ filter: /^epoxy-full$/ }, () => ({ path: `${dir}/full/epoxy.js` }));
    },
  };
  return runPage<HttpResults>({
    name: 'http-page',
    entry: `${root}bench/http-page.ts`,
    plugins: [epoxyAlias],
    files: {
      'wasmtls.wasm': `${root}dist/wasmtls.wasm`,
      'epoxy.wasm': `${dir}/full/epoxy.wasm`,
      'libcurl.wasm': `${root}node_modules/libcurl.js/libcurl.wasm`,
    },
    config: { ...info, knobs },
    timeoutMs: 600_000,
  });
}

// ---- report -----------------------------------------------------------------------

const PEERS = ['epoxy-tls', 'libcurl.js'] as const;

interface Row {
  runtime: string;
  metric: string;
  cells: string[];
}

function cellText(r: HttpResults, c: ClientName, m: (typeof METRICS)[number]): string {
  const cell = r.cells[c][m];
  if (!r.knobs.clients.includes(c)) return 'not run';
  if (c === 'no TLS' && m === 'h2') return 'n/a (no h2c)';
  if (cell.error) return `ERROR: ${cell.error}`;
  return fmt(median(cell.samples));
}

/** wasmtls against a peer: how many times better (> 1: wasmtls ahead),
 * whichever way the metric points (rates: wasmtls / peer; times:
 * peer / wasmtls). */
function ahead(r: HttpResults, peer: ClientName, m: (typeof METRICS)[number]): string {
  const a = r.cells.wasmtls[m];
  const b = r.cells[peer][m];
  if (a.error || b.error || !a.samples.length || !b.samples.length) return '-';
  const [x, y] = [median(a.samples), median(b.samples)];
  return `${(HIGHER_IS_BETTER[m] ? x / y : y / x).toFixed(2)}x`;
}

function rows(r: HttpResults): Row[] {
  return METRICS.map((m) => ({
    runtime: r.runtime,
    metric: METRIC_LABEL[m].replace('one body', `one ${(r.knobs.bigBytes / (1 << 20)).toFixed(0)} MiB body`),
    cells: [
      cellText(r, 'wasmtls', m),
      cellText(r, 'epoxy-tls', m),
      cellText(r, 'libcurl.js', m),
      ...PEERS.map((p) => ahead(r, p, m)),
      cellText(r, 'no TLS', m),
    ],
  }));
}

const HEAD = ['wasmtls', 'epoxy-tls', 'libcurl.js', 'wasmtls vs epoxy', 'wasmtls vs libcurl', 'no TLS (ceiling)'];

const dir = epoxyDir();
const servers = await startServers();
const results: HttpResults[] = [];
try {
  if (skip !== 'node') results.push(await inNode(servers.info, dir));
  if (skip !== 'chromium') results.push(await inChromium(servers.info, dir));
} finally {
  servers.stop();
}
const all = results.flatMap(rows);
for (const r of results) {
  console.log(
    `\n${r.runtime}: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  table(
    ['metric', ...HEAD],
    rows(r).map((x) => [x.metric, ...x.cells.map((c) => (c.length > 60 ? `${c.slice(0, 57)}...` : c))]),
  );
}
const errors = [
  ...results.flatMap((r) =>
    CLIENTS.flatMap((c) => METRICS.filter((m) => r.cells[c][m].error).map((m) => `${r.runtime} ${c} ${m}: ${r.cells[c][m].error}`)),
  ),
  ...uncaught,
];
const k = knobs;
console.log(
  `\n### bench/http: fetch() through one wisp-js server (medians of ${k.runs} runs; ${k.requests} GETs per req/s sample; ` +
    `${k.ttfbSamples} fresh connections per time-to-first-byte sample)\n`,
);
console.log(`| runtime | metric | ${HEAD.join(' | ')} |`);
console.log(`|${' --- |'.repeat(HEAD.length + 2)}`);
for (const x of all) console.log(`| ${x.runtime} | ${x.metric} | ${x.cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
console.log(
  '\nNotes: "wasmtls vs X" is how many times better wasmtls is (> 1: ahead; rates wasmtls/X, times X/wasmtls). ' +
    'Every client trusts the test CA only and verifies the certificate: wasmtls `ca`, epoxy-tls `pem_files`, ' +
    "libcurl.js has no CA option: its compiled-in bundle is replaced by the test CA in its wasm memory. libcurl.js's " +
    'wasm is built for the web only; in Node it runs as in a worker (process hidden while it loads). ' +
    'HTTP/1.1 rows: one request at a time (keep-alive); the HTTP/2 row: all at once (one connection, multiplexed). ' +
    'The origin says which protocol served each answer; a client that fell back fails its row.',
);
// Client CPU per request (Node only): what the req/s rows cannot show
// through this server, whose own CPU per request (wisp-js and the origin,
// one process) bounds every client's rate alike. Its rows do not start
// with "| Node" (test/bench-http reads those of the table above).
const cpuRows = results
  .filter((r) => CPU_METRICS.some((m) => CLIENTS.some((c) => r.cpu[c][m].length > 0)))
  .flatMap((r) =>
    CPU_METRICS.map((m) => {
      const med = (c: ClientName): number | undefined => (r.cpu[c][m].length ? median(r.cpu[c][m]) : undefined);
      const cell = (c: ClientName): string => {
        const v = med(c);
        return v === undefined ? (c === 'no TLS' && m === 'h2' ? 'n/a (no h2c)' : '-') : fmt(v);
      };
      const ratio = (p: ClientName): string => {
        const [a, b] = [med('wasmtls'), med(p)];
        return a && b ? `${(b / a).toFixed(2)}x` : '-';
      };
      return [
        `${m === 'h1' ? 'HTTP/1.1 keep-alive, one after another' : 'HTTP/2, all at once'} (${r.runtime})`,
        cell('wasmtls'),
        cell('epoxy-tls'),
        cell('libcurl.js'),
        ratio('epoxy-tls'),
        ratio('libcurl.js'),
        cell('no TLS'),
      ];
    }),
  );
if (cpuRows.length) {
  const CPU_HEAD = ['wasmtls', 'epoxy-tls', 'libcurl.js', 'epoxy / wasmtls', 'libcurl / wasmtls', 'no TLS'];
  console.log(
    `\n### client CPU per request, µs (process.cpuUsage() of the client process over the same ${k.requests} GETs as the req/s rows; ` +
      'the servers run in their own process; medians; "peer / wasmtls" above 1 means wasmtls uses less)\n',
  );
  console.log(`| client CPU per request, µs | ${CPU_HEAD.join(' | ')} |`);
  console.log(`|${' --- |'.repeat(CPU_HEAD.length + 1)}`);
  for (const row of cpuRows) console.log(`| ${row.join(' | ')} |`);
}
if (errors.length) {
  console.log(`\nERRORS (${errors.length}):`);
  for (const e of errors) console.log(`  ${e}`);
}
// The Node clients leave epoxy-tls's and libcurl.js's WebSockets open.
process.exit(errors.length ? 1 : 0);
