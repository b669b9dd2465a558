/**
 * The page of bench/tunnel-trace.ts: one connection's timeline through
 * Wisp in Chromium (performance.now() marks at every WebSocket send and
 * message, `opened`, the first response byte read and the end of close()),
 * wasmtls, epoxy-tls and the no-TLS stream over the same Wisp server,
 * sequentially.
 */
// @ts-expect-error resolved by the bench's esbuild plugin to epoxy-tls's full/epoxy.js
import * as epoxy from 'epoxy-full';
import { WispClient, type WebSocketLike } from '../ts/adapters/wisp.js';
import { connect } from '../ts/api/tls.js';
import { Connection } from '../ts/core/connection.js';
import { init } from '../ts/core/loader.js';
import { TrustStore } from '../ts/core/x509.js';

interface Cfg {
  wispUrl: string;
  httpsPort: number;
  plainPort: number;
  caPem: string;
  samples: number;
  calls?: boolean;
  kinds?: string[];
  packets?: boolean;
  perRound?: number;
}
interface EpoxyModule {
  EpoxyClient: new (
    url: string,
    o: unknown,
  ) => { connect_tls(u: string): Promise<{ read: ReadableStream<Uint8Array>; write: WritableStream<Uint8Array> }> };
  EpoxyClientOptions: new () => Record<string, unknown>;
}
const w = window as unknown as { __result?: unknown };
const enc = new TextEncoder();
let marks: [number, string][] = [];
let t0 = 0;
const mark = (what: string): void => {
  marks.push([performance.now() - t0, what]);
};

const WISP = ['?', 'CONNECT', 'DATA', 'CONTINUE', 'CLOSE', 'INFO'];
/** One Wisp packet, as a mark: type, stream id, payload length, and the
 * first TLS record type in a DATA packet (22 handshake, 23 application data,
 * 21 alert, 20 ChangeCipherSpec) or a CLOSE's reason. */
function describe(b: Uint8Array): string {
  const id = (b[1] | (b[2] << 8) | (b[3] << 16) | (b[4] << 24)) >>> 0;
  const extra = b[0] === 2 && b.byteLength > 5 ? ` rec ${b[5]}` : b[0] === 4 && b.byteLength > 5 ? ` reason ${b[5]}` : '';
  return `${WISP[b[0]] ?? b[0]} #${id} ${b.byteLength - 5} B${extra}`;
}
function bytesOf(d: unknown): Uint8Array | undefined {
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return undefined;
}

/** Every WebSocket the page makes (ours, and the one epoxy-tls makes
 * inside its wasm) marks each Wisp packet sent and received. */
class TracedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener('message', (ev) => {
      const b = bytesOf(ev.data);
      mark(b ? `ws in  ${describe(b)}` : `ws in  text ${String(ev.data).length}`);
    });
  }
  override send(d: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    const b = bytesOf(d);
    mark(b ? `ws out ${describe(b)}` : `ws out ${typeof d}`);
    super.send(d);
  }
}

async function request(r: ReadableStreamDefaultReader<Uint8Array>, wr: WritableStreamDefaultWriter<Uint8Array>): Promise<void> {
  await wr.write(enc.encode('GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n'));
  mark('request write resolved');
  let head = '';
  for (;;) {
    const x = await r.read();
    if (x.done) throw new Error('eof');
    mark(`app read ${x.value.byteLength} B`);
    head += new TextDecoder().decode(x.value);
    const at = head.indexOf('\r\n\r\n');
    if (at < 0) continue;
    const len = Number(/content-length: *(\d+)/i.exec(head)![1]);
    if (head.length - at - 4 >= len) return;
  }
}

// BENCH_TRACE_CALLS: the engine calls too, with their durations.
function traceCalls(): void {
  const proto = Connection.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['doHandshake', 'readEx', 'writeEx', 'shutdown', 'dispose', 'getSession']) {
    const f = proto[name];
    proto[name] = function (this: unknown, ...a: unknown[]) {
      const t = performance.now();
      const r = f.apply(this, a);
      mark(`${name} ${(performance.now() - t).toFixed(2)} ms`);
      return r;
    };
  }
}

try {
  const cfg = (await (await fetch('./config.json')).json()) as Cfg;
  // BENCH_TRACE_PACKETS=0: no packet marks (what tracing itself costs).
  if (cfg.packets !== false) globalThis.WebSocket = TracedWebSocket;
  await init(fetch('./wasmtls.wasm'));
  if (cfg.calls) traceCalls();
  const wisp = new WispClient(new WebSocket(cfg.wispUrl) as unknown as WebSocketLike);
  await wisp.ready;
  const ca = new TrustStore().addPEM(cfg.caPem);
  const E = epoxy as unknown as EpoxyModule & { default(o: unknown): Promise<unknown> };
  await E.default({ module_or_path: fetch('./epoxy.wasm') });
  const opts = new E.EpoxyClientOptions();
  opts.pem_files = [cfg.caPem];
  const ep = new E.EpoxyClient(cfg.wispUrl, opts);
  let lastSession: Uint8Array | undefined;
  const leaked: { close(): Promise<void> }[] = [];
  const kinds = cfg.kinds ?? ['wasmtls', 'epoxy-tls', 'plain'];
  const out: Record<string, [number, string][][]> = {};
  for (const k of kinds) out[k] = [];
  // perRound > 1: each kind's connections back to back (as bench/tunnel.ts's
  // connections/s rounds), the kinds taking turns round by round.
  const per = cfg.perRound ?? 1;
  // The server process's CPU time (the relay and the origins share it:
  // tunnel-servers.ts), read before and after each kind's round, so each
  // kind's connections are charged what the server spent on them.
  const serverCpu = async (): Promise<number> => {
    const u = (await (await fetch(`http://127.0.0.1:${cfg.plainPort}/cpu`)).json()) as { user: number; system: number };
    return (u.user + u.system) / 1000;
  };
  const cpu: Record<string, number[]> = {};
  for (let i = 0; i < cfg.samples; i += per) {
    for (const kind of kinds) {
      const c0 = await serverCpu();
      for (let j = 0; j < per; j++) {
        marks = [];
        t0 = performance.now();
        if (kind.startsWith('wasmtls')) {
          // wasmtls-resume: each connection offers the previous one's
          // session (as epoxy-tls's rustls does by itself).
          const resume = kind.startsWith('wasmtls-resume');
          const s = connect({
            transport: wisp.connect('localhost', cfg.httpsPort),
            servername: 'localhost',
            ca,
            ALPNProtocols: ['http/1.1'],
            ...(resume ? { session: lastSession, onSession: (x: Uint8Array) => (lastSession = x) } : {}),
          });
          s.closed.catch(() => {});
          s.opened.then(
            () => mark('opened'),
            () => {},
          );
          const wr = s.writable.getWriter();
          await request(s.readable.getReader(), wr);
          // wasmtls-abort: ended as epoxy-tls ends its streams (no close_notify).
          if (kind === 'wasmtls-abort') await wr.abort().catch(() => {});
          // wasmtls-leak: not closed at all, the relay's and the origin's
          // sockets left open (what epoxy-tls's cancel + abort amount to:
          // it sends no Wisp CLOSE), to see what the teardown costs.
          else if (kind.endsWith('-leak')) leaked.push(s);
          else await s.close();
        } else if (kind === 'epoxy-tls') {
          // As bench/tunnel-clients.ts drives it (writer.close() never settles).
          const io = await ep.connect_tls(`tls://localhost:${cfg.httpsPort}`);
          mark('opened');
          const reader = io.read.getReader();
          const writer = io.write.getWriter();
          await request(reader, writer);
          await reader.cancel().catch(() => {});
          await writer.abort().catch(() => {});
        } else {
          const t = wisp.connect('localhost', cfg.plainPort);
          await request(t.readable.getReader(), t.writable.getWriter());
          await t.close();
        }
        mark('closed');
        out[kind].push(marks);
      }
      // Warm-up rounds (the first 10 samples) are not counted.
      if (i >= 10) (cpu[kind] ??= []).push(((await serverCpu()) - c0) / per);
    }
  }
  for (const s of leaked) await s.close();
  await wisp.close();
  w.__result = { timelines: out, serverCpuMs: cpu };
} catch (e) {
  w.__result = { error: String((e as Error)?.stack ?? e) };
}
