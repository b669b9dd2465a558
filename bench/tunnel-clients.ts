/**
 * The client half of bench/tunnel.ts, runtime-neutral (Node and a Chromium
 * page run this same code): two TLS clients behind one interface, wasmtls
 * (`connect()` over a {@link WispClient}) and npm `@mercuryworkshop/epoxy-tls`
 * (rustls in wasm, its own Wisp client, `connect_tls()`), and the
 * measurements, all speaking the same hand-written HTTP/1.1 so that only
 * the TLS stack and its Wisp client differ.
 *
 * Measurements are interleaved implementation by implementation within
 * each round (as util.ts compare() does), so load drifting on a shared
 * machine spreads over both.
 */
import { connect, TLSError } from '../ts/api/tls.js';
import { WispClient, type WebSocketLike } from '../ts/adapters/wisp.js';
import { TrustStore } from '../ts/core/x509.js';
import { bodyByte } from './tunnel-body.js';

/** What the host gives the suite. */
export interface TunnelEnv {
  runtime: string;
  wispUrl: string;
  httpsPort: number;
  plainPort: number;
  rawPort: number;
  caPem: string;
  /** A WHATWG-shaped WebSocket constructor (browser global, or npm `ws`). */
  WebSocket: new (
    url: string,
  ) => WebSocketLike;
  /** epoxy-tls's module (full build, initialised). */
  epoxy: EpoxyModule;
  log(line: string): void;
  /** CPU time this process has used, in ms (Node: process.cpuUsage); the
   * servers run elsewhere, so it is the client's own cost. */
  cpuMs?: () => number;
  /** Scale: BENCH_* knobs from the host. */
  knobs: Knobs;
}

export interface Knobs {
  ttfbSamples: number;
  bulkRuns: number;
  handshakeRounds: number;
  handshakeRoundMs: number;
  closeSizes: number[];
  closeRepeats: number;
}

export interface EpoxyModule {
  EpoxyClient: new (transport: string, options: unknown) => EpoxyClientLike;
  EpoxyClientOptions: new () => Record<string, unknown>;
  info?: { version: string; minimal: boolean };
}
interface EpoxyClientLike {
  connect_tls(url: string): Promise<{ read: ReadableStream<Uint8Array>; write: WritableStream<Uint8Array> }>;
}

/** One fresh TLS connection. */
interface Conn {
  reader: ReadableStreamDefaultReader<Uint8Array>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  close(): Promise<void>;
}

interface Impl {
  name: 'wasmtls' | 'epoxy-tls' | 'no TLS' | 'wasmtls resumed';
  open(port: number, eof?: 'error' | 'end'): Promise<Conn>;
  dispose(): Promise<void>;
}

export const IMPLS = ['wasmtls', 'epoxy-tls'] as const;
export type ImplName = (typeof IMPLS)[number];

export interface CloseResult {
  impl: string;
  variant: 'abrupt' | 'notify';
  mode: string;
  n: number;
  /** Fewest body bytes delivered over the repeats. */
  minReceived: number;
  /** How the stream ended (the last repeat's, plus how many repeats lost bytes). */
  outcome: string;
  lostRuns: number;
  corrupt: boolean;
}

export interface TunnelResults {
  runtime: string;
  epoxyVersion: string;
  ttfbMs: Record<ImplName, number[]>;
  mbs: Record<ImplName, number[]>;
  hps: Record<ImplName, number[]>;
  /** The same requests over plain HTTP through the same Wisp server. */
  plain: { ttfbMs: number[]; mbs: number[]; hps: number[] };
  /** Sequential connections/s of wasmtls offering the previous connection's
   * session (as epoxy-tls does by itself), in the same rounds. */
  hpsResumed: number[];
  /** Client CPU ms per sequential connection (where the host can tell). */
  cpuPerConn: Record<ImplName | 'no TLS', number[]>;
  close: CloseResult[];
  /** Chromium: Wisp CONNECT and CLOSE packets each client sent (wasmtls's
   * count covers its no-TLS and resumed streams too: one WebSocket class). */
  wispSent?: Record<string, { connect: number; close: number }>;
}

const enc = new TextEncoder();
const now = (): number => performance.now();

/**
 * wasmtls's connect(); `resume`: each connection offers the session the
 * previous one received (`onSession` -> `session`), as epoxy-tls does by
 * itself (rustls's client keeps the tickets it received per server name
 * and offers one on its next connection) and as wasmtls's fetch() does per
 * origin. Without it every connection is a full handshake.
 */
async function oursImpl(env: TunnelEnv, resume = false): Promise<Impl> {
  const wisp = new WispClient(new env.WebSocket(env.wispUrl));
  await wisp.ready;
  // Parsed once and shared, as an application would keep its roots.
  const ca = new TrustStore().addPEM(env.caPem);
  let session: Uint8Array | undefined;
  const keep = (s: Uint8Array): void => {
    session = s;
  };
  return {
    name: resume ? 'wasmtls resumed' : 'wasmtls',
    open: async (port, eof) => {
      const s = connect({
        transport: wisp.connect('localhost', port),
        servername: 'localhost',
        ca,
        ALPNProtocols: ['http/1.1'],
        ...(eof ? { onUnexpectedEof: eof } : {}),
        ...(resume ? { session, onSession: keep } : {}),
      });
      s.closed.catch(() => {});
      s.opened.catch(() => {});
      return { reader: s.readable.getReader(), writer: s.writable.getWriter(), close: () => s.close() };
    },
    dispose: () => wisp.close(),
  };
}

/** No TLS at all: HTTP over a Wisp stream to the plain origin. */
async function plainImpl(env: TunnelEnv): Promise<Impl> {
  const wisp = new WispClient(new env.WebSocket(env.wispUrl));
  await wisp.ready;
  return {
    name: 'no TLS',
    open: async (port) => {
      const t = wisp.connect('localhost', port);
      return { reader: t.readable.getReader(), writer: t.writable.getWriter(), close: () => t.close() };
    },
    dispose: () => wisp.close(),
  };
}

async function epoxyImpl(env: TunnelEnv): Promise<Impl> {
  const opts = new env.epoxy.EpoxyClientOptions();
  // Custom roots (full build only): the test CA and nothing else.
  opts.pem_files = [env.caPem];
  opts.user_agent = 'wasmtls-tunnel-bench';
  const client = new env.epoxy.EpoxyClient(env.wispUrl, opts);
  return {
    name: 'epoxy-tls',
    open: async (port) => {
      const io = await client.connect_tls(`tls://localhost:${port}`);
      const reader = io.read.getReader();
      const writer = io.write.getWriter();
      return {
        reader,
        writer,
        // writer.close() never settles (it waits on a shutdown that does
        // not finish); cancel + abort drops the stream at once.
        close: async () => {
          await reader.cancel().catch(() => {});
          await writer.abort().catch(() => {});
        },
      };
    },
    dispose: async () => {},
  };
}

function indexOfCrlfCrlf(b: Uint8Array): number {
  for (let i = 3; i < b.length; i++) {
    if (b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13) return i + 1;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

interface Response {
  status: number;
  contentLength: number;
  body: number; // body bytes read
  firstByteAt: number;
  end: 'length' | 'eof' | string; // 'length': Content-Length reached; else how the stream ended
  corrupt: boolean;
}

/**
 * GET `path` on `c` and read the answer: the head, then the body until
 * Content-Length (`untilEof` false) or until the stream ends or errors
 * (`untilEof`). HTTP by hand, the same for both clients.
 */
async function get(c: Conn, path: string, untilEof = false, check = false): Promise<Response> {
  await c.writer.write(enc.encode(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wasmtls-tunnel-bench\r\n\r\n`));
  let head: Uint8Array = new Uint8Array(0);
  let firstByteAt = 0;
  let status = 0;
  let contentLength = -1;
  let body = 0;
  let corrupt = false;
  const take = (chunk: Uint8Array): void => {
    if (check) for (let i = 0; i < chunk.length; i++) if (chunk[i] !== bodyByte(body + i)) corrupt = true;
    body += chunk.length;
  };
  for (;;) {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await c.reader.read();
    } catch (e) {
      return { status, contentLength, body, firstByteAt, end: errorText(e), corrupt };
    }
    if (r.done) return { status, contentLength, body, firstByteAt, end: 'eof', corrupt };
    if (firstByteAt === 0) firstByteAt = now();
    if (contentLength < 0) {
      head = concat(head, r.value);
      const at = indexOfCrlfCrlf(head);
      if (at < 0) continue;
      const text = new TextDecoder().decode(head.subarray(0, at));
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      contentLength = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? -1);
      if (contentLength < 0) throw new Error(`no Content-Length in ${JSON.stringify(text)}`);
      take(head.subarray(at));
    } else {
      take(r.value);
    }
    if (!untilEof && body >= contentLength) return { status, contentLength, body, firstByteAt, end: 'length', corrupt };
  }
}

function errorText(e: unknown): string {
  if (e instanceof TLSError) return `TLSError ${e.code}: ${e.message}`;
  return `${(e as Error)?.name ?? 'Error'}: ${(e as Error)?.message ?? String(e)}`;
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
}

/** Connect, GET /small, read it all, close. Returns the time to first byte. */
async function smallRequest(impl: Impl, env: TunnelEnv): Promise<number> {
  const t0 = now();
  const c = await impl.open(impl.name === 'no TLS' ? env.plainPort : env.httpsPort);
  const r = await get(c, '/small');
  if (r.status !== 200 || r.end !== 'length') throw new Error(`${impl.name}: /small gave ${r.status} ${r.end}`);
  await c.close();
  return r.firstByteAt - t0;
}

/** MB/s of /big over one connection already warmed by a /small. */
async function bulk(impl: Impl, env: TunnelEnv): Promise<number> {
  const c = await impl.open(impl.name === 'no TLS' ? env.plainPort : env.httpsPort);
  await get(c, '/small');
  const t0 = now();
  const r = await get(c, '/big');
  const dt = now() - t0;
  if (r.end !== 'length' || r.body !== r.contentLength) throw new Error(`${impl.name}: /big ended ${r.end} after ${r.body} bytes`);
  await c.close();
  return r.body / 1e6 / (dt / 1000);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function runSuite(env: TunnelEnv): Promise<TunnelResults> {
  const k = env.knobs;
  const impls = [await oursImpl(env), await epoxyImpl(env)];
  const plain = await plainImpl(env);
  const resumed = await oursImpl(env, true);
  const res: TunnelResults = {
    runtime: env.runtime,
    epoxyVersion: env.epoxy.info ? `${env.epoxy.info.version}${env.epoxy.info.minimal ? ' minimal' : ' full'}` : '?',
    ttfbMs: { wasmtls: [], 'epoxy-tls': [] },
    mbs: { wasmtls: [], 'epoxy-tls': [] },
    hps: { wasmtls: [], 'epoxy-tls': [] },
    hpsResumed: [],
    plain: { ttfbMs: [], mbs: [], hps: [] },
    cpuPerConn: { wasmtls: [], 'epoxy-tls': [], 'no TLS': [] },
    close: [],
  };
  try {
    // Warm-up: the Wisp connections open, code paths are compiled.
    for (const impl of [...impls, plain, resumed])
      for (let i = 0; i < 5; i++) await timeout(smallRequest(impl, env), 10_000, `${impl.name} warm-up`);

    env.log(`${env.runtime}: time to first byte, ${k.ttfbSamples} samples each`);
    for (let i = 0; i < k.ttfbSamples; i++) {
      for (const impl of impls) res.ttfbMs[impl.name as ImplName].push(await timeout(smallRequest(impl, env), 10_000, `${impl.name} ttfb`));
      res.plain.ttfbMs.push(await timeout(smallRequest(plain, env), 10_000, 'no-TLS ttfb'));
    }

    env.log(`${env.runtime}: sequential handshakes, ${k.handshakeRounds} rounds of ${k.handshakeRoundMs} ms each`);
    for (let r = 0; r < k.handshakeRounds; r++) {
      for (const impl of [...impls, plain, resumed]) {
        let n = 0;
        const c0 = env.cpuMs?.() ?? 0;
        const t0 = now();
        let t = t0;
        while (t - t0 < k.handshakeRoundMs) {
          await timeout(smallRequest(impl, env), 10_000, `${impl.name} handshake`);
          n++;
          t = now();
        }
        const rate = (n * 1000) / (t - t0);
        if (impl === resumed) {
          res.hpsResumed.push(rate);
          continue;
        }
        (impl === plain ? res.plain.hps : res.hps[impl.name as ImplName]).push(rate);
        if (env.cpuMs) res.cpuPerConn[impl.name as ImplName | 'no TLS'].push((env.cpuMs() - c0) / n);
      }
    }

    env.log(`${env.runtime}: 64 MiB over one connection, ${k.bulkRuns} runs each`);
    for (let r = 0; r < k.bulkRuns; r++) {
      for (const impl of [...impls, plain]) {
        const mbs = await timeout(bulk(impl, env), 60_000, `${impl.name} bulk`);
        (impl === plain ? res.plain.mbs : res.mbs[impl.name as ImplName]).push(mbs);
        env.log(`  ${impl.name} ${mbs.toFixed(1)} MB/s`);
      }
    }

    env.log(`${env.runtime}: origin closes right after responding`);
    const oursEofModes: ('error' | 'end')[] = ['error', 'end'];
    for (const variant of ['abrupt', 'notify'] as const) {
      for (const n of k.closeSizes) {
        const runs: { impl: Impl; mode: string; eof?: 'error' | 'end' }[] = [
          ...oursEofModes.map((m) => ({ impl: impls[0], mode: `onUnexpectedEof '${m}'${m === 'error' ? ' (default)' : ''}`, eof: m })),
          { impl: impls[1], mode: 'connect_tls' },
        ];
        for (const run of runs) {
          let min = Infinity;
          let outcome = '';
          let lostRuns = 0;
          let corrupt = false;
          for (let i = 0; i < k.closeRepeats; i++) {
            let r: Response;
            try {
              const c = await timeout(run.impl.open(env.rawPort, run.eof), 10_000, 'open');
              r = await timeout(get(c, `/close/${n}/${variant}`, true, true), 10_000, 'read');
              await c.close().catch(() => {});
            } catch (e) {
              r = { status: 0, contentLength: n, body: 0, firstByteAt: 0, end: errorText(e), corrupt: false };
            }
            min = Math.min(min, r.body);
            if (r.body < n) lostRuns++;
            corrupt ||= r.corrupt;
            outcome = r.end;
          }
          res.close.push({ impl: run.impl.name, variant, mode: run.mode, n, minReceived: min, outcome, lostRuns, corrupt });
        }
      }
    }
  } finally {
    for (const impl of [...impls, plain, resumed]) await impl.dispose().catch(() => {});
  }
  return res;
}

export { median };
