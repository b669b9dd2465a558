/**
 * The measuring half of bench/http.ts, runtime-neutral (Node and a Chromium
 * page run this same code): `fetch()` through one wisp-js server to the
 * local origins (tunnel-origin.ts), by wasmtls (`createFetch` over our Wisp
 * client), npm `@mercuryworkshop/epoxy-tls` (`EpoxyClient.fetch`, rustls
 * and hyper in wasm) and npm `libcurl.js` (`HTTPSession.fetch`, curl,
 * mbedTLS and nghttp2 in wasm), and wasmtls's fetch with no TLS at all
 * (`http://` over a plain Wisp stream: the tunnel's own ceiling).
 *
 * Every client is handed the same WHATWG `fetch` shape; every answer is
 * checked (status, body, and the protocol the origin says it served in
 * `x-http-version`) so a row never measures a fallback or a short body.
 * A client whose measurement fails gets the error in its cell: a row is
 * never dropped silently.
 */
import { bodyByte } from './tunnel-body.js';

export const CLIENTS = ['wasmtls', 'epoxy-tls', 'libcurl.js', 'no TLS'] as const;
export type ClientName = (typeof CLIENTS)[number];

export const METRICS = ['h1', 'h2', 'mbs', 'ttfb'] as const;
export type Metric = (typeof METRICS)[number];

/** What the rows mean (the table's first column). */
export const METRIC_LABEL: Record<Metric, string> = {
  h1: 'req/s, small GETs one after another, HTTP/1.1 keep-alive',
  h2: 'req/s, small GETs all at once, HTTP/2',
  mbs: 'MB/s, one body over a warm HTTP/1.1 connection',
  ttfb: 'ms to the response head, fresh connection (HTTP/1.1)',
};
/** Whether more is better (rates) or less (times). */
export const HIGHER_IS_BETTER: Record<Metric, boolean> = { h1: true, h2: true, mbs: true, ttfb: false };

/** A fetch-shaped client. */
export interface FetchClient {
  fetch(url: string): Promise<Response>;
  close(): Promise<void>;
}

export interface HttpKnobs {
  /** Measured runs per cell (the median is reported). */
  runs: number;
  /** Small GETs per req/s sample. */
  requests: number;
  /** Body bytes of the MB/s row (at most the origin's 64 MiB). */
  bigBytes: number;
  /** Fresh connections per time-to-first-byte sample (their median). */
  ttfbSamples: number;
  /** Each run starts each row with the next client in turn (the default;
   * BENCH_HTTP_ROTATE=0 turns it off): otherwise the first client of the
   * time-to-first-byte row is always the one right after the MB/s row's
   * 64 MiB bodies (wasmtls measured 7-9 ms there against 4-6 ms when it
   * came later; the garbage of those bodies is the likely cause, not
   * proven). */
  rotate?: boolean;
  /** Clients to run (BENCH_SMOKE runs wasmtls's only). */
  clients: ClientName[];
}

export interface HttpEnv {
  runtime: string;
  httpsPort: number;
  h2Port: number;
  plainPort: number;
  /** Origins like httpsPort (plainPort), one per fresh-connection sample:
   * a port the client's pool has never seen is sure to get a new connection. */
  freshPorts: number[];
  freshPlainPorts: number[];
  knobs: HttpKnobs;
  /** Makes each client; a factory that throws puts its error in every cell of that client. */
  factories: Record<ClientName, () => Promise<FetchClient>>;
  /** Versions of the clients, for the table's header. */
  versions: Partial<Record<ClientName, string>>;
  log(line: string): void;
  /** CPU time this process has used, in microseconds (Node:
   * process.cpuUsage() user + system). When given, the req/s rows also
   * record the client's CPU per request over the same requests
   * ({@link HttpResults.cpu}); a page has no such clock. */
  cpuMicros?: () => number;
}

/** The rows whose requests are also measured for client CPU. */
export const CPU_METRICS = ['h1', 'h2'] as const;
export type CpuMetric = (typeof CPU_METRICS)[number];

export interface Cell {
  samples: number[];
  error?: string;
}

export interface HttpResults {
  runtime: string;
  knobs: HttpKnobs;
  versions: Partial<Record<ClientName, string>>;
  cells: Record<ClientName, Record<Metric, Cell>>;
  /** Client CPU per request in microseconds, one sample per req/s sample
   * of the same row (same requests); empty when the runtime has no
   * {@link HttpEnv.cpuMicros}. */
  cpu: Record<ClientName, Record<CpuMetric, number[]>>;
}

const SMALL_BODY = 'hello from the origin\n';
const now = (): number => performance.now();

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
}

export function errorText(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: unknown; cause?: unknown };
  if (err && typeof err === 'object' && typeof err.message === 'string') {
    const code = err.code !== undefined ? ` [${String(err.code)}]` : '';
    const cause = err.cause !== undefined ? ` (cause: ${errorText(err.cause)})` : '';
    return `${err.name ?? 'Error'}${code}: ${err.message}${cause}`;
  }
  return String(e);
}

/** The answer is what the origin sends for this request, over `proto`. */
function checkHead(r: Response, proto: '1.1' | '2.0', what: string): void {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status}`);
  const v = r.headers.get('x-http-version');
  if (v !== proto) throw new Error(`${what}: served over HTTP/${v ?? '?'}, not HTTP/${proto}`);
}

async function small(c: FetchClient, url: string, proto: '1.1' | '2.0'): Promise<void> {
  const r = await c.fetch(url);
  checkHead(r, proto, url);
  const text = await r.text();
  if (text !== SMALL_BODY) throw new Error(`${url}: body ${JSON.stringify(text.slice(0, 60))} is not the origin's`);
}

/** Read a body to its end, checking the origin's byte pattern at the start of every chunk. */
async function drain(r: Response, expect: number, what: string): Promise<void> {
  if (!r.body) throw new Error(`${what}: no body`);
  const reader = r.body.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length && value[0] !== bodyByte(n)) throw new Error(`${what}: wrong byte at offset ${n}`);
    n += value.length;
  }
  if (n !== expect) throw new Error(`${what}: ${n} body bytes, expected ${expect}`);
}

const origin = (env: HttpEnv, name: ClientName, port: 'https' | 'h2'): string =>
  name === 'no TLS' ? `http://localhost:${env.plainPort}` : `https://localhost:${port === 'h2' ? env.h2Port : env.httpsPort}`;

const freshUsed = new Map<ClientName, number>();
/** An origin `name`'s pool has not seen yet. */
function freshOrigin(env: HttpEnv, name: ClientName): string {
  const i = freshUsed.get(name) ?? 0;
  freshUsed.set(name, i + 1);
  const ports = name === 'no TLS' ? env.freshPlainPorts : env.freshPorts;
  if (i >= ports.length)
    throw new Error(`out of fresh origins (${ports.length}): fewer runs (BENCH_RUNS) or more ports (tunnel-servers.ts)`);
  return `${name === 'no TLS' ? 'http' : 'https'}://localhost:${ports[i]}`;
}

/** One sample of `m` for client `name`. */
async function measure(env: HttpEnv, c: FetchClient, name: ClientName, m: Metric): Promise<number> {
  const k = env.knobs;
  switch (m) {
    case 'h1': {
      const url = `${origin(env, name, 'https')}/small`;
      const t0 = now();
      for (let i = 0; i < k.requests; i++) await small(c, url, '1.1');
      return (k.requests * 1000) / (now() - t0);
    }
    case 'h2': {
      const url = `${origin(env, name, 'h2')}/small`;
      const t0 = now();
      await Promise.all(Array.from({ length: k.requests }, () => small(c, url, '2.0')));
      return (k.requests * 1000) / (now() - t0);
    }
    case 'mbs': {
      const base = origin(env, name, 'https');
      await small(c, `${base}/small`, '1.1'); // the connection is warm
      const url = `${base}/big/${k.bigBytes}`;
      const t0 = now();
      const r = await c.fetch(url);
      checkHead(r, '1.1', url);
      await drain(r, k.bigBytes, url);
      return k.bigBytes / 1e6 / ((now() - t0) / 1000);
    }
    case 'ttfb': {
      const xs: number[] = [];
      for (let i = 0; i < k.ttfbSamples; i++) {
        const url = `${freshOrigin(env, name)}/small`;
        const t0 = now();
        const r = await c.fetch(url);
        xs.push(now() - t0);
        checkHead(r, '1.1', url);
        if ((await r.text()) !== SMALL_BODY) throw new Error(`${url}: not the origin's body`);
      }
      return median(xs);
    }
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** HTTP/2 without TLS (h2c) is not a row: browsers do not speak it, so
 * neither does a fetch meant for them. */
const applies = (name: ClientName, m: Metric): boolean => !(name === 'no TLS' && m === 'h2');

export async function runHttpSuite(env: HttpEnv): Promise<HttpResults> {
  const k = env.knobs;
  const res: HttpResults = {
    runtime: env.runtime,
    knobs: k,
    versions: env.versions,
    cells: Object.fromEntries(
      CLIENTS.map((c) => [c, Object.fromEntries(METRICS.map((m) => [m, { samples: [] }]))]),
    ) as unknown as HttpResults['cells'],
    cpu: Object.fromEntries(CLIENTS.map((c) => [c, { h1: [], h2: [] }])) as unknown as HttpResults['cpu'],
  };
  const clients = new Map<ClientName, FetchClient>();
  try {
    for (const name of k.clients) {
      try {
        clients.set(name, await timeout(env.factories[name](), 30_000, `${name}: start`));
      } catch (e) {
        for (const m of METRICS) res.cells[name][m].error = `start: ${errorText(e)}`;
      }
    }
    // Warm-up: Wisp connections open, code compiled, one keep-alive
    // connection per origin in each pool. A failure here is the cell's.
    for (const [name, c] of clients) {
      for (const m of ['h1', 'h2'] as const) {
        if (!applies(name, m)) continue;
        try {
          for (let i = 0; i < 3; i++)
            await timeout(
              small(c, `${origin(env, name, m === 'h2' ? 'h2' : 'https')}/small`, m === 'h2' ? '2.0' : '1.1'),
              20_000,
              'warm-up',
            );
          // Then one sample's worth of the row, unmeasured, so the first
          // measured run is not the one where the row's code is compiled
          // (client CPU per request: the first of 5 runs was up to 7x the
          // last for epoxy-tls, 4x for wasmtls).
          await timeout(measure(env, c, name, m), 60_000, 'warm-up');
        } catch (e) {
          res.cells[name][m].error = `warm-up: ${errorText(e)}`;
        }
      }
    }
    for (let run = 0; run < k.runs; run++) {
      env.log(`${env.runtime}: run ${run + 1} of ${k.runs}`);
      for (const m of METRICS) {
        const order = [...clients];
        if (k.rotate) order.push(...order.splice(0, run % Math.max(1, order.length)));
        for (const [name, c] of order) {
          const cell = res.cells[name][m];
          if (!applies(name, m) || cell.error) continue;
          try {
            const cpu0 = env.cpuMicros?.();
            cell.samples.push(await timeout(measure(env, c, name, m), m === 'mbs' ? 120_000 : 60_000, `${name} ${m}`));
            // The CPU this process spent on the row's requests: the client
            // alone (the servers run in another process).
            if (cpu0 !== undefined && env.cpuMicros && (m === 'h1' || m === 'h2'))
              res.cpu[name][m].push((env.cpuMicros() - cpu0) / k.requests);
          } catch (e) {
            cell.error = errorText(e);
          }
        }
      }
    }
  } finally {
    for (const c of clients.values()) await timeout(c.close(), 5000, 'close').catch(() => {});
  }
  return res;
}

// ---- libcurl.js's roots ------------------------------------------------------------

/**
 * libcurl.js takes no CA option: curl's CA bundle (Mozilla's roots, PEM) is
 * compiled into its wasm, copied into its heap when it starts (`get_cacert()`
 * returns it) and handed to mbedTLS for each new connection. To make it
 * trust the test CA, and only the test CA (as the other clients do), this
 * overwrites that PEM in the module's memory once it has started: the test
 * CA's PEM, then newlines up to the original length (mbedTLS's PEM reader
 * stops at text with no BEGIN line; the terminating NUL stays where it was).
 *
 * Call `install()` before libcurl.js instantiates its module (before the
 * import for the bundled build, which instantiates on import), await its
 * `load_wasm()`, then `done()`: it restores WebAssembly's functions, patches,
 * and throws if it found no module with curl's bundle.
 */
export function libcurlRoots(caPem: string): { install(): void; done(): void } {
  const wa = WebAssembly as unknown as Record<'instantiate' | 'instantiateStreaming', (...a: unknown[]) => Promise<unknown>>;
  const saved = { instantiate: wa.instantiate, instantiateStreaming: wa.instantiateStreaming };
  type Exports = { memory: WebAssembly.Memory; get_cacert: () => number };
  let found: Exports | undefined;
  // Other modules are instantiated meanwhile (Node's undici has its own):
  // libcurl's is the one that exports get_cacert.
  const catchExports = (out: unknown): unknown => {
    const inst = (out as { instance?: WebAssembly.Instance }).instance ?? (out as WebAssembly.Instance);
    const ex = inst?.exports as Partial<Exports> | undefined;
    if (ex?.memory && typeof ex.get_cacert === 'function') found = ex as Exports;
    return out;
  };
  return {
    install() {
      wa.instantiate = (...a: unknown[]) => saved.instantiate.apply(WebAssembly, a).then(catchExports);
      if (saved.instantiateStreaming) {
        wa.instantiateStreaming = (...a: unknown[]) => saved.instantiateStreaming.apply(WebAssembly, a).then(catchExports);
      }
    },
    done() {
      wa.instantiate = saved.instantiate;
      if (saved.instantiateStreaming) wa.instantiateStreaming = saved.instantiateStreaming;
      if (!found) throw new Error('libcurl.js: could not give it the test CA: no module exporting get_cacert was instantiated');
      const mem = new Uint8Array(found.memory.buffer);
      const at = found.get_cacert();
      let end = at;
      while (end < mem.length && mem[end] !== 0) end++;
      const head = new TextDecoder().decode(mem.subarray(at, Math.min(end, at + 8192)));
      const pem = new TextEncoder().encode(`${caPem.trim()}\n`);
      if (!head.includes('-----BEGIN CERTIFICATE-----')) {
        throw new Error(`libcurl.js: get_cacert() does not point at a PEM bundle (${JSON.stringify(head.slice(0, 60))})`);
      }
      if (pem.length > end - at) throw new Error(`libcurl.js: the test CA does not fit in its bundle (${end - at} bytes)`);
      mem.fill(10, at, end);
      mem.set(pem, at);
    },
  };
}

/** libcurl.js's API as used here. */
export interface Libcurl {
  set_websocket(url: string): void;
  HTTPSession: new (options?: object) => { fetch(url: string, init?: object): Promise<Response>; close(): void };
  version: { lib: string; ssl: string } | null;
  stderr: (s: string) => void;
  logger: (type: string, text: string) => void;
}

export function libcurlClient(lc: Libcurl, wispUrl: string): FetchClient {
  lc.set_websocket(wispUrl);
  const session = new lc.HTTPSession();
  return {
    fetch: (url) => session.fetch(url),
    close: async () => session.close(),
  };
}

/** epoxy-tls's API as used here (the full build: custom roots). */
export interface EpoxyFetchModule {
  EpoxyClient: new (transport: string, options: unknown) => { fetch(url: string, init: object): Promise<Response> };
  EpoxyClientOptions: new () => Record<string, unknown>;
  info?: { version: string; minimal: boolean };
}

export function epoxyClient(epoxy: EpoxyFetchModule, wispUrl: string, caPem: string): FetchClient {
  const opts = new epoxy.EpoxyClientOptions();
  // The test CA and nothing else, as the other clients.
  opts.pem_files = [caPem];
  opts.user_agent = 'wasmtls-http-bench';
  const client = new epoxy.EpoxyClient(wispUrl, opts);
  return { fetch: (url) => client.fetch(url, {}), close: async () => {} };
}
