/**
 * Every transport adapter against real TCP servers on 127.0.0.1, through the
 * same checks: byte-exact round trips (0 B, 1 B, 16 KiB, 8 MiB), backpressure
 * (a reader that does not read stalls the writer, and the adapter's own
 * buffers stay bounded), end of stream both ways, refused and reset
 * connections, and cancel / abort / close() closing the transport.
 *
 * Kits: the Node socket; the WebSocket tunnel through a websockify-style
 * relay with the npm `ws` client (pausable) and with undici's WHATWG
 * WebSocket (not pausable); a Wisp stream through the wisp-js server; and,
 * in Node, test doubles of a Deno.Conn (streams only, whose writable closes
 * the whole connection as Deno's does), of a Workers socket, and a plain
 * WHATWG stream pair. The real Deno.connect and workerd connect() run in
 * adapters.runtimes.test.ts; Wisp specifics in wisp.test.ts.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { Duplex } from 'node:stream';
import { WebSocket as UndiciWebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromDenoConn } from '../ts/adapters/deno.js';
import { fromWorkersSocket } from '../ts/adapters/cloudflare.js';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import type { Transport } from '../ts/adapters/types.js';
import { fromWebSocket, type WebSocketLike } from '../ts/adapters/websocket.js';
import { WispClient } from '../ts/adapters/wisp.js';
import { startRelay, type Relay } from './helpers/relay.js';
import { countServer, echoServer, helloServer, refusedPort, resetServer, sinkServer, socketClosed, type TcpServer } from './helpers/tcp.js';
import { echoRoundTrip, random, readAll, sha256, sleep, webPair, within } from './helpers/transport-checks.js';
import { startWispServer, type WispServer } from './helpers/wisp-server.js';

interface Opened {
  t: Transport;
  /** Bytes the adapter's transport object holds unsent (its own buffer). */
  buffered?: () => number;
  /** Whether the adapter paused the transport's reading. */
  readPaused?: () => boolean;
}

interface Kit {
  name: string;
  /** Closing the writable sends end of stream to the target. */
  halfClose: boolean;
  open(port: number): Promise<Opened>;
  /** How a refused connection reads. */
  refused: RegExp;
  /** How a reset reads; null when the transport reports a reset as an end. */
  reset: RegExp | null;
  /** Bound on buffered() while stalled. */
  bufferBound?: number;
  /** The transport can pause reading (a WHATWG WebSocket cannot; Wisp v1 has
   * no per-stream way, see wisp.test.ts). */
  pausableRead: boolean;
}

let relay: Relay;
let wispServer: WispServer;
let wisp: WispClient;
let echo: TcpServer;

const MiB = 1 << 20;

function tcp(port: number): Socket {
  // Half-open allowed, as Deno and Workers sockets are.
  const s = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
  s.setNoDelay(true);
  return s;
}

/** A test double of Deno.Conn: streams only, `writable.close()` closes it all. */
function fakeDenoConn(s: Socket) {
  const { readable, writable } = webPair(s, { closeDestroys: true });
  return {
    readable,
    writable,
    closeWrite: () => new Promise<void>((r) => s.end(() => r())),
    close: () => {
      if (s.destroyed) throw new Error('BadResource: Bad resource ID');
      s.destroy();
    },
  };
}

/** A test double of a Workers socket (`connect()` from cloudflare:sockets). */
function fakeWorkersSocket(s: Socket) {
  const { readable, writable } = webPair(s);
  const opened = new Promise((resolve, reject) => {
    s.once('connect', () => resolve({ remoteAddress: `${s.remoteAddress}:${s.remotePort}` }));
    s.once('error', reject);
  });
  const closed = new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.once('close', () => resolve());
  });
  opened.catch(() => {});
  closed.catch(() => {});
  return {
    readable,
    writable,
    opened,
    closed,
    close: async () => {
      s.destroy();
      await closed.catch(() => {});
    },
    startTls: () => {
      throw new Error('not used: we do TLS ourselves');
    },
  };
}

const kits: Kit[] = [
  {
    name: 'node-socket',
    halfClose: true,
    pausableRead: true,
    async open(port) {
      const s = tcp(port);
      return { t: fromNodeSocket(s), buffered: () => s.writableLength, readPaused: () => s.isPaused() };
    },
    refused: /ECONNREFUSED/,
    reset: /ECONNRESET/,
    bufferBound: 65536, // one chunk: write() waits for the kernel
  },
  {
    name: 'websocket (ws client, relay)',
    halfClose: false,
    pausableRead: true,
    async open(port) {
      const ws = new WebSocket(`${relay.url}/127.0.0.1:${port}`);
      return { t: fromWebSocket(ws), buffered: () => ws.bufferedAmount, readPaused: () => ws.isPaused };
    },
    refused: /code 1011: connect ECONNREFUSED/,
    reset: /code 1011: read ECONNRESET/,
    bufferBound: MiB + 65536, // adapter high-water mark + one message
  },
  {
    name: 'websocket (undici WHATWG WebSocket, relay)',
    halfClose: false,
    pausableRead: false,
    async open(port) {
      const ws = new UndiciWebSocket(`${relay.url}/127.0.0.1:${port}`);
      return { t: fromWebSocket(ws as unknown as WebSocketLike), buffered: () => ws.bufferedAmount };
    },
    refused: /code 1011: connect ECONNREFUSED/,
    reset: /code 1011: read ECONNRESET/,
    bufferBound: MiB + 65536,
  },
  {
    name: 'wisp (wisp-js server)',
    halfClose: false,
    pausableRead: false,
    async open(port) {
      return { t: wisp.connect('127.0.0.1', port) };
    },
    // wisp-js answers a refused connection with 0x03, and reports a reset
    // as a voluntary close (0x02): the stream ends.
    refused: /network error \(NetworkError, 0x03\)/,
    reset: null,
  },
  {
    name: 'deno (test double: streams only)',
    halfClose: true,
    pausableRead: true,
    async open(port) {
      const s = tcp(port);
      return { t: fromDenoConn(fakeDenoConn(s)), buffered: () => s.writableLength, readPaused: () => s.isPaused() };
    },
    refused: /ECONNREFUSED/,
    reset: /ECONNRESET/,
    bufferBound: 65536,
  },
  {
    name: 'cloudflare (test double of a Workers socket)',
    halfClose: true,
    pausableRead: true,
    async open(port) {
      const s = tcp(port);
      return { t: fromWorkersSocket(fakeWorkersSocket(s)), buffered: () => s.writableLength, readPaused: () => s.isPaused() };
    },
    refused: /ECONNREFUSED/,
    reset: /ECONNRESET/,
    bufferBound: 65536,
  },
  {
    name: 'streams (WHATWG pair)',
    halfClose: true,
    pausableRead: true,
    async open(port) {
      const s = tcp(port);
      return {
        t: fromStreams(webPair(s), { close: () => void s.destroy() }),
        buffered: () => s.writableLength,
        readPaused: () => s.isPaused(),
      };
    },
    refused: /ECONNREFUSED/,
    reset: /ECONNRESET/,
    bufferBound: 65536,
  },
];

beforeAll(async () => {
  relay = await startRelay();
  wispServer = await startWispServer();
  echo = await echoServer();
  const ws = new WebSocket(wispServer.url);
  wisp = new WispClient(ws);
  await wisp.ready;
});

afterAll(async () => {
  await wisp?.close();
  await wispServer?.close();
  await relay?.close();
  await echo?.close();
});

/** The server side of the connection the last open() made. */
async function serverSocket(server: TcpServer, before: number): Promise<Socket> {
  for (let i = 0; i < 200 && server.sockets.length <= before; i++) await sleep(10);
  expect(server.sockets.length).toBeGreaterThan(before);
  return server.sockets[server.sockets.length - 1];
}

describe.each(kits)('$name', (kit) => {
  for (const size of [0, 1, 16384, 8 * MiB]) {
    it(`round-trips ${size} bytes byte for byte through a TCP echo server`, async () => {
      const data = random(size);
      const { t } = await kit.open(echo.port);
      const got = await echoRoundTrip(t, data, kit.halfClose);
      expect(got.bytes.byteLength).toBe(size);
      expect(sha256(got.bytes)).toBe(sha256(data));
      if (kit.halfClose) expect(got.eof).toBe(true);
    });
  }

  /** Write 64 KiB chunks until one write stays pending for 300 ms. */
  async function writeUntilStalled(t: Transport, sent: ReturnType<typeof createHash>) {
    const w = t.writable.getWriter();
    let accepted = 0;
    const chunk = random(65536);
    // 512 MiB accepted would mean there is no backpressure.
    while (accepted < 512 * MiB) {
      const p = w.write(chunk);
      sent.update(chunk);
      if (!(await within(p, 300)).ok) return { w, accepted, pending: p, chunk };
      accepted += chunk.byteLength;
    }
    return { w, accepted, pending: undefined, chunk };
  }

  for (const end of ['close()', 'abort'] as const) {
    it(`backpressure: a destination that does not read stalls the writer; the adapter buffers a bounded amount; ${end} ends the stall`, async () => {
      const sink = await sinkServer();
      try {
        const { t, buffered } = await kit.open(sink.port);
        const { w, accepted, pending } = await writeUntilStalled(t, createHash('sha256'));
        if (end === 'close()') {
          console.log(
            `${kit.name}: writer stalled after ${(accepted / MiB).toFixed(1)} MiB accepted (kernel, relay and proxy buffers included)`,
          );
        }
        expect(pending).toBeDefined();
        if (buffered) expect(buffered()).toBeLessThanOrEqual(kit.bufferBound!);
        pending!.catch(() => {});
        if (end === 'close()') await t.close();
        else expect((await within(w.abort(new Error('enough')), 5000)).ok).toBe(true);
        expect(
          await within(
            pending!.then(
              () => 'resolved',
              () => 'rejected',
            ),
            5000,
          ),
        ).toEqual({ ok: true, value: 'rejected' });
      } finally {
        await sink.close();
      }
    });
  }

  it.runIf(kit.pausableRead)(
    'backpressure: a reader that does not read pauses the source and stalls the writer; nothing is lost',
    async () => {
      const { t, readPaused } = await kit.open(echo.port);
      const sent = createHash('sha256');
      const { accepted, pending, chunk } = await writeUntilStalled(t, sent);
      expect(pending).toBeDefined();
      for (let i = 0; i < 100 && !readPaused!(); i++) await sleep(20);
      expect(readPaused!()).toBe(true);
      // Now read: the pending write completes and every byte comes back in order.
      const r = t.readable.getReader();
      const total = accepted + chunk.byteLength;
      const got = createHash('sha256');
      let n = 0;
      const reading = (async () => {
        while (n < total) {
          const { value, done } = await r.read();
          if (done) break;
          got.update(value);
          n += value.byteLength;
        }
      })();
      await pending;
      await reading;
      expect(n).toBe(total);
      expect(got.digest('hex')).toBe(sent.digest('hex'));
      await t.close();
    },
  );

  if (kit.halfClose) {
    it('EOF client to server: closing the writable sends FIN and reading goes on', async () => {
      const count = await countServer();
      try {
        const { t } = await kit.open(count.port);
        const w = t.writable.getWriter();
        await w.write(random(1000));
        await w.close();
        const got = await readAll(t.readable.getReader());
        expect(new TextDecoder().decode(got.bytes)).toBe('count 1000');
        expect(got.eof).toBe(true);
        await t.close();
      } finally {
        await count.close();
      }
    });

    it('EOF server to client: the readable ends and writing goes on (half-close)', async () => {
      const hello = await helloServer();
      try {
        const { t } = await kit.open(hello.port);
        const got = await readAll(t.readable.getReader());
        expect(new TextDecoder().decode(got.bytes)).toBe('hello');
        expect(got.eof).toBe(true);
        const w = t.writable.getWriter();
        await w.write(random(100));
        await w.close();
        for (let i = 0; i < 200 && hello.events.length === 0; i++) await sleep(10);
        expect(hello.events).toEqual(['got 100']);
        await t.close();
      } finally {
        await hello.close();
      }
    });
  } else {
    it('closing the writable (no half-close here) keeps the transport readable', async () => {
      const { t } = await kit.open(echo.port);
      const w = t.writable.getWriter();
      const data = random(1000);
      await w.write(data);
      await w.close();
      const got = await readAll(t.readable.getReader(), data.byteLength);
      expect(sha256(got.bytes)).toBe(sha256(data));
      await t.close();
    });

    it('EOF server to client: the readable ends, later writes reject', async () => {
      const hello = await helloServer();
      try {
        const { t } = await kit.open(hello.port);
        const got = await readAll(t.readable.getReader());
        expect(new TextDecoder().decode(got.bytes)).toBe('hello');
        expect(got.eof).toBe(true);
        const w = t.writable.getWriter();
        await expect(w.write(random(100))).rejects.toThrow(/closed/);
        await t.close();
      } finally {
        await hello.close();
      }
    });
  }

  it('a refused connection errors the readable and the writable', async () => {
    const { t } = await kit.open(await refusedPort());
    const r = t.readable.getReader();
    await expect(r.read()).rejects.toThrow(kit.refused);
    await expect(t.writable.getWriter().write(random(10))).rejects.toThrow();
    await t.close(); // never rejects
  });

  it(kit.reset ? 'a reset by the server errors the readable' : 'a reset by the server ends the stream', async () => {
    const reset = await resetServer();
    try {
      const { t } = await kit.open(reset.port);
      const w = t.writable.getWriter();
      const r = t.readable.getReader();
      await w.write(random(10));
      if (kit.reset) await expect(readAll(r)).rejects.toThrow(kit.reset);
      else expect((await readAll(r)).eof).toBe(true);
      await t.close();
    } finally {
      await reset.close();
    }
  });

  for (const how of ['cancel', 'abort', 'close'] as const) {
    it(`${how === 'close' ? 'close()' : how === 'cancel' ? 'cancelling the readable' : 'aborting the writable'} closes the transport`, async () => {
      const before = echo.sockets.length;
      const { t } = await kit.open(echo.port);
      const w = t.writable.getWriter();
      const r = t.readable.getReader();
      const data = random(100);
      await w.write(data);
      expect(sha256((await readAll(r, 100)).bytes)).toBe(sha256(data));
      const server = await serverSocket(echo, before);
      if (how === 'cancel') await r.cancel();
      else if (how === 'abort') await w.abort();
      else await t.close();
      const closed = await within(socketClosed(server), 5000);
      expect(closed.ok).toBe(true);
      if (how !== 'abort') await expect(w.write(random(1))).rejects.toThrow();
      if (how === 'close') expect((await r.read()).done).toBe(true);
      await t.close();
    });
  }
});

describe('node-socket extras', () => {
  it('connectTcp rejects with ECONNREFUSED and connects otherwise', async () => {
    await expect(connectTcp({ host: '127.0.0.1', port: await refusedPort() })).rejects.toThrow(/ECONNREFUSED/);
    const t = await connectTcp({ host: '127.0.0.1', port: echo.port });
    const data = random(5000);
    const got = await echoRoundTrip(t, data, true);
    expect(sha256(got.bytes)).toBe(sha256(data));
  });

  it('rejects chunks that are not Uint8Array', async () => {
    const t = await connectTcp({ host: '127.0.0.1', port: echo.port });
    await expect(t.writable.getWriter().write('text' as unknown as Uint8Array)).rejects.toThrow(/expected Uint8Array/);
    await t.close();
  });
});

describe('websocket extras', () => {
  it('a WebSocket that cannot open errors both streams', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${await refusedPort()}/`);
    const t = fromWebSocket(ws);
    await expect(t.writable.getWriter().write(random(1))).rejects.toThrow(/closed before it opened \(code 1006.*ECONNREFUSED/);
    await expect(t.readable.getReader().read()).rejects.toThrow(/code 1006/);
    await t.close();
  });

  it('a text message is refused with a clear error', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    try {
      await new Promise((r) => wss.once('listening', r));
      wss.on('connection', (s) => s.send('not bytes'));
      const t = fromWebSocket(new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`));
      await expect(t.readable.getReader().read()).rejects.toThrow(/text message/);
      await t.close();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });

  it('a fixed-target relay works, and large writes go out in messages of at most maxMessageSize', async () => {
    const fixed = await startRelay({ target: { host: '127.0.0.1', port: echo.port } });
    try {
      const data = random(100_000);
      const got = await echoRoundTrip(fromWebSocket(new WebSocket(fixed.url), { maxMessageSize: 4096 }), data, false);
      expect(sha256(got.bytes)).toBe(sha256(data));
    } finally {
      await fixed.close();
    }
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    try {
      await new Promise((r) => wss.once('listening', r));
      const sizes: number[] = [];
      wss.on('connection', (s) =>
        s.on('message', (d: Buffer) => {
          sizes.push(d.length);
          s.send(d);
        }),
      );
      const data = random(10_000);
      const t = fromWebSocket(new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`), { maxMessageSize: 4096 });
      const got = await echoRoundTrip(t, data, false);
      expect(sha256(got.bytes)).toBe(sha256(data));
      expect(sizes).toEqual([4096, 4096, 1808]);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});

describe('streams extras', () => {
  it('two TransformStreams make an in-memory connection with half-close', async () => {
    const a = new TransformStream<Uint8Array, Uint8Array>();
    const b = new TransformStream<Uint8Array, Uint8Array>();
    let hooks = 0;
    const left = fromStreams({ readable: a.readable, writable: b.writable }, { close: () => void hooks++ });
    const right = fromStreams({ readable: b.readable, writable: a.writable });
    const data = random(300_000);
    const lw = left.writable.getWriter();
    const reading = readAll(right.readable.getReader());
    await lw.write(data);
    await lw.close(); // left's end of stream reaches right
    const got = await reading;
    expect(got.eof).toBe(true);
    expect(sha256(got.bytes)).toBe(sha256(data));
    // The other direction still works.
    const rw = right.writable.getWriter();
    const back = readAll(left.readable.getReader());
    await rw.write(data.subarray(0, 10));
    await rw.close();
    expect(Array.from((await back).bytes)).toEqual(Array.from(data.subarray(0, 10)));
    await left.close();
    await left.close(); // idempotent
    expect(hooks).toBe(1);
  });
});

describe('a transport error comes after the bytes that arrived before it', () => {
  // The peer's last record (a TLS alert) is often followed by a reset; a
  // WHATWG controller's error() drops what is queued, so an adapter that
  // errors at once loses exactly the bytes that say why.
  const lastWords = new Uint8Array([21, 3, 3, 0, 2, 2, 116]);

  it('node-socket: data then a read error: the data is read, then the error', async () => {
    const sock = new Duplex({
      read() {},
      write(_c, _e, cb) {
        cb();
      },
    });
    const t = fromNodeSocket(sock);
    sock.push(Buffer.from(lastWords));
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    await sleep(10); // 'data' delivered and queued, nobody has read yet
    sock.destroy(reset);
    await sleep(10);
    const r = t.readable.getReader();
    expect(Array.from((await r.read()).value ?? [])).toEqual(Array.from(lastWords));
    await expect(r.read()).rejects.toThrow('ECONNRESET');
  });

  it('node-socket: a write error (EPIPE) fails the writable; what arrives after it is still read', async () => {
    let writes = 0;
    const sock = new Duplex({
      read() {},
      write(_c, _e, cb) {
        writes++;
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
      },
    });
    const t = fromNodeSocket(sock);
    const w = t.writable.getWriter();
    await expect(w.write(new Uint8Array([1, 2, 3]))).rejects.toThrow('EPIPE');
    expect(writes).toBe(1);
    await sleep(10); // Node's 'error' for the write (a tick later)
    expect(sock.destroyed).toBe(false);
    // The peer's alert, in the kernel when the write failed, read after it.
    sock.push(Buffer.from(lastWords));
    sock.push(null);
    const got = await readAll(t.readable.getReader());
    expect(Array.from(got.bytes)).toEqual(Array.from(lastWords));
    expect(got.eof).toBe(true);
    await sleep(10);
    expect(sock.destroyed).toBe(true); // both directions done: destroyed by the adapter
  });

  it('streams: a chunk then an error from the pair: the chunk is read, then the error', async () => {
    let n = 0;
    const src = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          if (n++ === 0) c.enqueue(lastWords);
          else c.error(new Error('pair reset'));
        },
      },
      { highWaterMark: 0 },
    );
    const t = fromStreams({ readable: src, writable: new WritableStream() });
    const r = t.readable.getReader();
    await sleep(10); // the adapter read both: the chunk is queued, the error seen
    expect(n).toBe(2);
    expect(Array.from((await r.read()).value ?? [])).toEqual(Array.from(lastWords));
    await expect(r.read()).rejects.toThrow('pair reset');
  });
});

describe('wisp: a stream closed with an error reason after data', () => {
  it('the data is read, then the error (CLOSE 0x03 after a DATA holding a TLS alert)', async () => {
    // A scripted Wisp server over a fake WebSocket: the initial CONTINUE,
    // then for stream 1: DATA (the peer's alert), CLOSE reason 0x03
    // (stream closed by a network error, Wisp protocol.md: the reset).
    const listeners = new Map<string, ((ev: { data?: unknown }) => void)[]>();
    const ws: WebSocketLike = {
      binaryType: 'arraybuffer',
      readyState: 1,
      bufferedAmount: 0,
      send() {},
      close() {},
      addEventListener(t, f) {
        listeners.set(t, [...(listeners.get(t) ?? []), f]);
      },
      removeEventListener(t, f) {
        listeners.set(
          t,
          (listeners.get(t) ?? []).filter((g) => g !== f),
        );
      },
    };
    const packet = (type: number, id: number, body: number[]) => {
      const b = new Uint8Array(5 + body.length);
      b[0] = type;
      new DataView(b.buffer).setUint32(1, id, true);
      b.set(body, 5);
      return { data: b.buffer };
    };
    const emit = (ev: { data: ArrayBuffer }) => {
      for (const f of listeners.get('message') ?? []) f(ev);
    };
    const wisp = new WispClient(ws);
    emit(packet(0x03, 0, [128, 0, 0, 0]));
    await wisp.ready;
    const t = wisp.connect('127.0.0.1', 443);
    const alert = [21, 3, 3, 0, 2, 2, 116];
    emit(packet(0x02, 1, alert));
    emit(packet(0x04, 1, [0x03]));
    await sleep(10);
    const r = t.readable.getReader();
    expect(Array.from((await r.read()).value ?? [])).toEqual(alert);
    await expect(r.read()).rejects.toThrow();
  });
});
