/**
 * Taking over a used transport (the upgrade after a plaintext phase):
 * no byte lost, none read twice. A server reads the first bytes of a
 * connection to tell TLS from plaintext (the ClientHello's 0x16), then
 * hands the socket and those bytes (`head`) to `accept()`; a Node
 * `tls.connect()` client (the oracle) must complete its handshake,
 * validate our chain and get its data echoed. A lost byte stalls the
 * handshake, a byte read twice breaks it.
 *
 * Each adapter that can take over a socket is checked the way its
 * callers read: a Node socket peeked with `read(1)` (the rest stays in
 * Node's buffer), a Node socket whose first chunk came in a `'data'`
 * listener that paused it (a paused socket used to stay paused under the
 * adapter: the connection hung), and WHATWG stream pairs (a stream pair,
 * a Workers socket double, a Deno.Conn double with streams only) read
 * through a reader released afterwards. The refusals that keep a byte
 * from being read twice are checked too: a socket with a listener still
 * attached, a stream still locked. Last, SMTP STARTTLS as the README
 * shows it, against a server whose TLS is Node's. The real PostgreSQL
 * upgrade in Node, Deno and workerd is in postgres.test.ts.
 */
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect as nodeTlsConnect, TLSSocket } from 'node:tls';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromDenoConn } from '../ts/adapters/deno.js';
import { fromWorkersSocket } from '../ts/adapters/cloudflare.js';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import type { Transport } from '../ts/adapters/types.js';
import { accept, connect } from '../ts/api/tls.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';
import { smtpStartTls } from './helpers/smtp.js';
import { webPair } from './helpers/transport-checks.js';

let pki: Pki;

beforeAll(() => {
  useBuild('simd');
  pki = makePki();
});
afterAll(() => pki?.dispose());

/** How a server reads the first bytes and hands the socket over. */
type Takeover = (s: Socket) => Promise<{ transport: Transport; head: Uint8Array }>;

const toU8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/** Read one chunk from a stream pair, release the reader: head and pair. */
async function firstChunk(pair: { readable: ReadableStream<Uint8Array> }): Promise<Uint8Array> {
  const r = pair.readable.getReader();
  const { value, done } = await r.read();
  r.releaseLock();
  if (done) throw new Error('ended before the first chunk');
  return value;
}

const takeovers: [string, Takeover][] = [
  [
    'node socket peeked with read(1): the rest stays in its buffer',
    (s) =>
      new Promise((resolve) => {
        const onReadable = (): void => {
          const b = s.read(1) as Buffer | null;
          if (!b) return;
          s.off('readable', onReadable);
          const head = toU8(b);
          resolve({ head, transport: fromNodeSocket(s, { head }) });
        };
        s.on('readable', onReadable);
      }),
  ],
  [
    "node socket whose first 'data' chunk paused it",
    (s) =>
      new Promise((resolve) => {
        s.once('data', (b: Buffer) => {
          s.pause();
          const head = toU8(b);
          resolve({ head, transport: fromNodeSocket(s, { head }) });
        });
      }),
  ],
  [
    'stream pair, reader released',
    async (s) => {
      const pair = webPair(s);
      const head = await firstChunk(pair);
      return {
        head,
        transport: fromStreams(pair, {
          head,
          close: () => {
            s.destroy();
          },
        }),
      };
    },
  ],
  [
    'Workers socket (double), reader released',
    async (s) => {
      const pair = webPair(s);
      const head = await firstChunk(pair);
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      const sock = {
        ...pair,
        closed,
        close: async () => {
          s.destroy();
          await closed;
        },
      };
      return { head, transport: fromWorkersSocket(sock, { head }) };
    },
  ],
  [
    'Deno.Conn (double, streams only), reader released',
    async (s) => {
      const pair = webPair(s);
      const head = await firstChunk(pair);
      const conn = {
        ...pair,
        closeWrite: () => new Promise<void>((r) => s.end(() => r())),
        close: () => {
          s.destroy();
        },
      };
      return { head, transport: fromDenoConn(conn, { head }) };
    },
  ],
];

/** A server that sniffs each connection with `takeover`, then serves TLS
 * and echoes one message back prefixed with "echo:". */
async function sniffingServer(takeover: Takeover): Promise<{ port: number; server: Server; heads: number[]; errors: unknown[] }> {
  const heads: number[] = [];
  const errors: unknown[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    void (async () => {
      const { transport, head } = await takeover(s);
      heads.push(head[0]);
      const tls = accept({ transport, cert: pki.serverChainPem, key: pki.serverKeyPem });
      try {
        await tls.opened;
        const r = tls.readable.getReader();
        const { value } = await r.read();
        r.releaseLock();
        const w = tls.writable.getWriter();
        await w.write(new TextEncoder().encode(`echo:${new TextDecoder().decode(value)}`));
        await w.close();
        await tls.closed;
      } catch (e) {
        errors.push(e);
        await tls.close();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, heads, errors };
}

describe('a server takes over a socket it read from, with what it read as head', () => {
  it.each(takeovers)(
    '%s: node:tls completes, validates and gets its echo',
    async (_name, takeover) => {
      const srv = await sniffingServer(takeover);
      try {
        const c = nodeTlsConnect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: pki.caPem });
        const chunks: Buffer[] = [];
        c.on('data', (d: Buffer) => chunks.push(d));
        await new Promise<void>((res, rej) => {
          c.once('secureConnect', () => c.write('hello over TLS'));
          c.once('end', res);
          c.once('error', rej);
        });
        expect(c.authorized).toBe(true);
        expect(Buffer.concat(chunks).toString()).toBe('echo:hello over TLS');
        c.destroy();
        expect(srv.heads).toEqual([0x16]); // a TLS handshake record, read before the takeover
        expect(srv.errors).toEqual([]);
      } finally {
        srv.server.close();
      }
    },
    30_000,
  );
});

describe('refusals that keep a byte from being read twice', () => {
  it("a Node socket with a 'data' or 'readable' listener still attached", async () => {
    const srv = createServer(() => {});
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const s = netConnect({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port });
    try {
      const onData = (): void => {};
      s.on('data', onData);
      expect(() => fromNodeSocket(s)).toThrow(/still has 1 'data' listener\(s\): remove them before handing it over/);
      s.off('data', onData);
      s.on('readable', onData);
      expect(() => fromNodeSocket(s)).toThrow(/still has 1 'readable' listener/);
      s.off('readable', onData);
      expect(() => fromNodeSocket(s, { head: 'S' as unknown as Uint8Array })).toThrow(/`head` must be a Uint8Array/);
    } finally {
      s.destroy();
      srv.close();
    }
  });

  it('a locked readable or writable: fromStreams, fromWorkersSocket and fromDenoConn say to releaseLock()', () => {
    const make = () => {
      const a = new TransformStream<Uint8Array, Uint8Array>();
      const b = new TransformStream<Uint8Array, Uint8Array>();
      return { readable: a.readable, writable: b.writable };
    };
    const wrap: [string, (p: ReturnType<typeof make>) => Transport][] = [
      ['fromStreams', (p) => fromStreams(p)],
      ['fromWorkersSocket', (p) => fromWorkersSocket({ ...p, closed: new Promise(() => {}), close: () => {} })],
      ['fromDenoConn', (p) => fromDenoConn({ ...p, closeWrite: async () => {}, close: () => {} })],
    ];
    for (const [name, f] of wrap) {
      const p1 = make();
      p1.readable.getReader();
      expect(() => f(p1), name).toThrow(new RegExp(`^${name}: the .*readable is locked: call releaseLock\\(\\)`));
      const p2 = make();
      p2.writable.getWriter();
      expect(() => f(p2), name).toThrow(new RegExp(`^${name}: the .*writable is locked: call releaseLock\\(\\)`));
    }
  });
});

/**
 * A small SMTP server with STARTTLS (RFC 3207) whose TLS is Node's own
 * (`new tls.TLSSocket(socket, { isServer: true })`, the oracle): after
 * STARTTLS it answers EHLO with "250 secured <name>" and QUIT with 221.
 * `inject`: bytes sent right after the 220, in the same write (what an
 * attacker on the path would add).
 */
async function smtpServer(
  inject = '',
): Promise<{ port: number; server: Server; secured: Promise<{ authorized: boolean; protocol: string | null }> }> {
  let onSecured!: (v: { authorized: boolean; protocol: string | null }) => void;
  const secured = new Promise<{ authorized: boolean; protocol: string | null }>((r) => {
    onSecured = r;
  });
  const server = createServer((s) => {
    let buf = '';
    s.write('220 mx.test ESMTP\r\n');
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (/^EHLO /i.test(line)) s.write('250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
        else if (/^STARTTLS$/i.test(line)) {
          s.off('data', onData);
          s.write(`220 2.0.0 Ready to start TLS\r\n${inject}`);
          const tls = new TLSSocket(s, { isServer: true, cert: pki.serverChainPem, key: pki.serverKeyPem });
          tls.once('secure', () => onSecured({ authorized: tls.authorized, protocol: tls.getProtocol() }));
          let tbuf = '';
          tls.on('data', (t: Buffer) => {
            tbuf += t.toString('latin1');
            for (let j = tbuf.indexOf('\r\n'); j >= 0; j = tbuf.indexOf('\r\n')) {
              const cmd = tbuf.slice(0, j);
              tbuf = tbuf.slice(j + 2);
              if (/^EHLO /i.test(cmd)) tls.write(`250 secured ${cmd.slice(5)}\r\n`);
              else if (/^QUIT$/i.test(cmd)) tls.end('221 bye\r\n');
            }
          });
          tls.on('error', () => s.destroy());
          return;
        } else s.write('500 unknown\r\n');
      }
    };
    s.on('data', onData);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, secured };
}

describe('SMTP STARTTLS as the README shows it (Node: Duplex.toWeb + fromStreams)', () => {
  it('greeting, EHLO, STARTTLS, 220, then TLS validated by our client and EHLO again inside it', async () => {
    const srv = await smtpServer();
    try {
      const socket = netConnect({ host: '127.0.0.1', port: srv.port });
      await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
      const pair = Duplex.toWeb(socket) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
      await smtpStartTls(pair, 'client.test');
      const tls = connect({
        transport: fromStreams(pair, {
          close: () => {
            socket.destroy();
          },
        }),
        servername: 'localhost',
        ca: pki.caPem,
      });
      const info = await tls.opened;
      expect(info).toMatchObject({ authorized: true, version: 'TLSv1.3' });
      expect(await srv.secured).toEqual({ authorized: false, protocol: 'TLSv1.3' });
      const w = tls.writable.getWriter();
      await w.write(new TextEncoder().encode('EHLO client.test\r\nQUIT\r\n'));
      const text = await new Response(tls.readable).text();
      expect(text).toBe('250 secured client.test\r\n221 bye\r\n');
      await w.close().catch(() => {});
      await tls.close();
    } finally {
      srv.server.close();
    }
  }, 30_000);

  it('bytes after the 220 (an injection before TLS) are refused, not handed to TLS or the application', async () => {
    const srv = await smtpServer('250 injected\r\n');
    try {
      const socket = netConnect({ host: '127.0.0.1', port: srv.port });
      await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
      const pair = Duplex.toWeb(socket) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
      await expect(smtpStartTls(pair, 'client.test')).rejects.toThrow('SMTP: bytes after the 220 to STARTTLS (refused)');
      socket.destroy();
    } finally {
      srv.server.close();
    }
  }, 30_000);
});
