/**
 * The page of bench/tunnel-trace.ts: one connection's timeline through
 * Wisp in Chromium (performance.now() marks at every WebSocket send and
 * message, `opened`, the first response byte read and the end of close()),
 * wasmtls and the no-TLS stream over the same Wisp server, sequentially.
 */
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
}
const w = window as unknown as { __result?: unknown };
const enc = new TextEncoder();
let marks: [number, string][] = [];
let t0 = 0;
const mark = (what: string): void => {
  marks.push([performance.now() - t0, what]);
};

function traced(url: string): WebSocketLike {
  const ws = new WebSocket(url);
  const send = ws.send.bind(ws);
  ws.send = (d: ArrayBufferLike | ArrayBufferView | Blob | string) => {
    const b = d as Uint8Array;
    mark(`ws send type ${b[0]} ${b.byteLength - 5} B`);
    send(d);
  };
  ws.addEventListener('message', (ev) => {
    const b = new Uint8Array(ev.data as ArrayBuffer);
    mark(`ws message type ${b[0]} ${b.byteLength - 5} B`);
  });
  return ws as unknown as WebSocketLike;
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
  for (const name of ['doHandshake', 'readEx', 'writeEx', 'shutdown', 'dispose']) {
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
  await init(fetch('./wasmtls.wasm'));
  if (cfg.calls) traceCalls();
  const wisp = new WispClient(traced(cfg.wispUrl));
  await wisp.ready;
  const ca = new TrustStore().addPEM(cfg.caPem);
  const out: Record<string, [number, string][][]> = { wasmtls: [], plain: [] };
  for (let i = 0; i < cfg.samples; i++) {
    for (const kind of ['wasmtls', 'plain'] as const) {
      marks = [];
      t0 = performance.now();
      if (kind === 'wasmtls') {
        const s = connect({
          transport: wisp.connect('localhost', cfg.httpsPort),
          servername: 'localhost',
          ca,
          ALPNProtocols: ['http/1.1'],
        });
        s.closed.catch(() => {});
        s.opened.then(
          () => mark('opened'),
          () => {},
        );
        await request(s.readable.getReader(), s.writable.getWriter());
        await s.close();
      } else {
        const t = wisp.connect('localhost', cfg.plainPort);
        await request(t.readable.getReader(), t.writable.getWriter());
        await t.close();
      }
      mark('closed');
      out[kind].push(marks);
    }
  }
  await wisp.close();
  w.__result = out;
} catch (e) {
  w.__result = { error: String((e as Error)?.stack ?? e) };
}
