/**
 * The Wisp v1 client beyond the common transport checks (adapters.test.ts):
 * many concurrent streams over one WebSocket, credit flow control (a stream
 * whose destination does not read stalls only itself; exact credit counting
 * against a scripted server), close reasons as named errors (scripted, and
 * the ones the wisp-js server really sends), the WebSocket closing under
 * open streams, protocol errors, a v2 server (INFO answered; more in wisp-v2.test.ts),
 * and the bound on unread bytes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WispClient, WispError, WISP_CLOSE_REASONS } from '../ts/adapters/wisp.js';
import { echoServer, refusedPort, sinkServer, type TcpServer } from './helpers/tcp.js';
import { echoRoundTrip, random, readAll, sha256, sleep, within } from './helpers/transport-checks.js';
import { continuePacket, startScriptedWisp, startWispServer, wispPacket, type WispServer } from './helpers/wisp-server.js';

const MiB = 1 << 20;
let server: WispServer;
let echo: TcpServer;

beforeAll(async () => {
  server = await startWispServer();
  echo = await echoServer();
});
afterAll(async () => {
  await server?.close();
  await echo?.close();
});

async function client(url = server.url, opts?: ConstructorParameters<typeof WispClient>[1]): Promise<{ c: WispClient; ws: WebSocket }> {
  const ws = new WebSocket(url);
  const c = new WispClient(ws, opts);
  await c.ready;
  return { c, ws };
}

describe('wisp: against the wisp-js server', () => {
  it('20 concurrent streams over one WebSocket, while a 21st whose destination does not read stalls alone', async () => {
    const sink = await sinkServer();
    const { c } = await client();
    try {
      // The stalled stream: writes until a write stays pending (credits spent).
      const stalled = c.connect('127.0.0.1', sink.port);
      const sw = stalled.writable.getWriter();
      let accepted = 0;
      let pending: Promise<void> | undefined;
      const chunk = random(65536);
      while (accepted < 512 * MiB) {
        const p = sw.write(chunk);
        // 2 s, not less: on a loaded 2-core machine a write that merely
        // waits for the server can take hundreds of milliseconds.
        if (!(await within(p, 2000)).ok) {
          pending = p;
          break;
        }
        accepted += chunk.byteLength;
      }
      expect(pending).toBeDefined();
      console.log(`wisp: stream to a non-reading destination stalled after ${(accepted / MiB).toFixed(1)} MiB`);

      // Meanwhile 20 streams on the same WebSocket round-trip 256 KiB each.
      const datas = Array.from({ length: 20 }, () => random(256 * 1024));
      const results = await Promise.all(datas.map((d) => echoRoundTrip(c.connect('127.0.0.1', echo.port), d, false)));
      for (const [i, r] of results.entries()) expect(sha256(r.bytes)).toBe(sha256(datas[i]));
      // ... and the stalled write is still pending.
      expect((await within(pending!, 50)).ok).toBe(false);
      await stalled.close();
      await expect(pending).rejects.toThrow(/closed/);
    } finally {
      await c.close();
      await sink.close();
    }
  });

  it('a client that does not read pauses the WebSocket at maxBufferedBytes and loses nothing', async () => {
    const { c, ws } = await client(server.url, { maxBufferedBytes: MiB });
    try {
      const t = c.connect('127.0.0.1', echo.port);
      const w = t.writable.getWriter();
      const data = random(8 * MiB);
      const writing = w.write(data);
      for (let i = 0; i < 200 && !ws.isPaused; i++) await sleep(20);
      expect(ws.isPaused).toBe(true);
      const got = await readAll(t.readable.getReader(), data.byteLength);
      await writing;
      expect(sha256(got.bytes)).toBe(sha256(data));
      expect(ws.isPaused).toBe(false);
      await t.close();
    } finally {
      await c.close();
    }
  });

  it('closing a stream with unread data releases the pause: other streams go on', async () => {
    const { c, ws } = await client(server.url, { maxBufferedBytes: MiB });
    try {
      const a = c.connect('127.0.0.1', echo.port);
      a.writable
        .getWriter()
        .write(random(8 * MiB))
        .catch(() => {});
      for (let i = 0; i < 200 && !ws.isPaused; i++) await sleep(20);
      expect(ws.isPaused).toBe(true);
      await a.close();
      expect(ws.isPaused).toBe(false);
      // What had arrived is still readable, then the end.
      const rest = await readAll(a.readable.getReader());
      expect(rest.eof).toBe(true);
      expect(rest.bytes.byteLength).toBeGreaterThan(MiB);
      const data = random(100_000);
      const got = await echoRoundTrip(c.connect('127.0.0.1', echo.port), data, false);
      expect(sha256(got.bytes)).toBe(sha256(data));
    } finally {
      await c.close();
    }
  });

  it('close reasons the wisp-js server sends come out as named errors', async () => {
    const { c } = await client();
    try {
      const cases: [string, number, string, number][] = [
        ['blocked.test', 443, 'HostBlocked', 0x48], // its hostname blacklist
        ['nonexistent.test', 443, 'NetworkError', 0x03], // DNS failure
        ['127.0.0.1', await refusedPort(), 'NetworkError', 0x03], // refused
      ];
      for (const [host, port, code, reason] of cases) {
        const t = c.connect(host, port);
        const err = await t.readable
          .getReader()
          .read()
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(err).toBeInstanceOf(WispError);
        expect(err).toMatchObject({ name: 'WispError', code, reason });
        expect(String((err as Error).message)).toContain(`${host}:${port}`);
        await expect(t.writable.getWriter().write(random(1))).rejects.toBe(err);
      }
      expect(c.streamCount).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('a v2 server (INFO first) is answered with INFO 2.0 and works', async () => {
    // wisp-js speaks v2 when the client offers a subprotocol.
    const ws = new WebSocket(server.url, ['wisp-v2']);
    const types: number[] = [];
    ws.on('message', (d: ArrayBuffer) => types.push(new Uint8Array(d)[0]));
    const c = new WispClient(ws);
    try {
      await c.ready;
      expect(types.slice(0, 2)).toEqual([0x05, 0x03]); // INFO, then (after ours) CONTINUE
      const data = random(100_000);
      const got = await echoRoundTrip(c.connect('127.0.0.1', echo.port), data, false);
      expect(sha256(got.bytes)).toBe(sha256(data));
    } finally {
      await c.close();
    }
  });

  it('close() ends every stream and closes the WebSocket', async () => {
    const { c, ws } = await client();
    const ts = [c.connect('127.0.0.1', echo.port), c.connect('127.0.0.1', echo.port)];
    await c.close();
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    for (const t of ts) expect((await t.readable.getReader().read()).done).toBe(true);
    expect(() => c.connect('127.0.0.1', echo.port)).toThrow(/closed/);
  });
});

describe('wisp: against a scripted server', () => {
  it('spends one credit per DATA packet and waits for CONTINUE', async () => {
    const s = await startScriptedWisp({ credits: 4 });
    const { c } = await client(s.url, { maxPacketSize: 1000 });
    try {
      const t = c.connect('example.test', 8443);
      const writing = t.writable.getWriter().write(random(10_000)); // 10 packets
      const data = () => s.received.filter((p) => p.type === 0x02);
      const settle = async (n: number) => {
        for (let i = 0; i < 200 && data().length < n; i++) await sleep(10);
        await sleep(100); // and nothing more comes
      };
      await settle(4);
      const connect = s.received[0];
      expect(connect.type).toBe(0x01);
      // CONNECT payload: TCP, port u16le, hostname
      expect(Array.from(connect.payload.subarray(0, 3))).toEqual([0x01, 8443 & 0xff, 8443 >> 8]);
      expect(new TextDecoder().decode(connect.payload.subarray(3))).toBe('example.test');
      expect(data().length).toBe(4);
      s.last().send(continuePacket(connect.id, 3));
      await settle(7);
      expect(data().length).toBe(7);
      expect((await within(writing, 10)).ok).toBe(false);
      s.last().send(continuePacket(connect.id, 10));
      await writing; // sent; the server may not have read them yet
      for (let i = 0; i < 100 && data().length < 10; i++) await sleep(10);
      expect(data().length).toBe(10);
      expect(data().every((p) => p.payload.length === 1000 && p.id === connect.id)).toBe(true);
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('every server close reason errors the stream with its name; 0x02 ends it after its data', async () => {
    const s = await startScriptedWisp({
      onPacket(p, ws) {
        if (p.type !== 0x01) return;
        const host = new TextDecoder().decode(p.payload.subarray(3));
        const reason = Number(host.split('.')[0]);
        if (reason === 0x02) ws.send(wispPacket(0x02, p.id, [104, 105])); // "hi" first
        ws.send(wispPacket(0x04, p.id, [reason]));
      },
    });
    const { c } = await client(s.url);
    try {
      for (const [r, [name]] of Object.entries(WISP_CLOSE_REASONS)) {
        const reason = Number(r);
        const t = c.connect(`${reason}.test`, 443);
        const reader = t.readable.getReader();
        if (reason === 0x02) {
          const got = await readAll(reader);
          expect(new TextDecoder().decode(got.bytes)).toBe('hi');
          expect(got.eof).toBe(true);
          await expect(t.writable.getWriter().write(random(1))).rejects.toMatchObject({ code: 'Voluntary' });
          continue;
        }
        const err = await reader.read().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ name: 'WispError', code: name, reason });
      }
      // An unknown reason still gets a name.
      const t = c.connect(`${0x99}.test`, 443);
      await expect(t.readable.getReader().read()).rejects.toMatchObject({ code: 'Reason0x99', reason: 0x99 });
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('the WebSocket closing errors every open stream', async () => {
    const s = await startScriptedWisp({});
    const { c } = await client(s.url);
    try {
      const ts = [1, 2, 3].map((i) => c.connect(`h${i}.test`, 80));
      await sleep(50);
      s.last().close(1001, 'going away');
      for (const t of ts) {
        await expect(t.readable.getReader().read()).rejects.toMatchObject({
          name: 'WispError',
          code: 'WebSocketClosed',
          message: expect.stringMatching(/code 1001: going away/),
        });
      }
      await c.closed;
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('a malformed packet is a protocol error for every stream', async () => {
    const s = await startScriptedWisp({});
    const { c } = await client(s.url);
    try {
      const t = c.connect('h.test', 80);
      await sleep(50);
      s.last().send(Buffer.from([0x02, 0, 0]));
      await expect(t.readable.getReader().read()).rejects.toMatchObject({ code: 'ProtocolError' });
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('DATA is delivered in order per stream, with no cross-talk', async () => {
    const s = await startScriptedWisp({
      onPacket(p, ws) {
        if (p.type === 0x02) ws.send(wispPacket(0x02, p.id, p.payload)); // echo per stream
      },
    });
    const { c } = await client(s.url, { maxPacketSize: 777 });
    try {
      const datas = Array.from({ length: 8 }, (_, i) => random(10_000 + i));
      const got = await Promise.all(datas.map((d, i) => echoRoundTrip(c.connect(`s${i}.test`, 1), d, false)));
      for (const [i, g] of got.entries()) expect(createHash('sha256').update(g.bytes).digest('hex')).toBe(sha256(datas[i]));
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('ready rejects when the WebSocket closes before the initial CONTINUE', async () => {
    const s = await startScriptedWisp({ onConnection: (ws) => ws.close(1000) });
    const c = new WispClient(new WebSocket(s.url));
    try {
      await expect(c.ready).rejects.toMatchObject({ code: 'WebSocketClosed' });
    } finally {
      await c.close();
      await s.close();
    }
  });

  it('validates host and port', async () => {
    const s = await startScriptedWisp({});
    const { c } = await client(s.url);
    try {
      expect(() => c.connect('', 80)).toThrow(TypeError);
      expect(() => c.connect('h', 0)).toThrow(RangeError);
      expect(() => c.connect('h', 65536)).toThrow(RangeError);
    } finally {
      await c.close();
      await s.close();
    }
  });
});
