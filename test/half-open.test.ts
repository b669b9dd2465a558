/**
 * After the peer's close_notify and the end of the readable, the
 * connection closes itself (issue #13), as Node's sockets do by default
 * (`allowHalfOpen: false`: "the socket will automatically end the writable
 * side when the readable side ends") and Deno's TlsConn does; with
 * `allowHalfOpen: true` it stays writable (TLS 1.3 allows writing after
 * the peer's close_notify, RFC 8446 6.1) until closed.
 *
 * wasmtls/tls (connect()/accept()) against real peers on 127.0.0.1:
 * - a Node tls server that writes and ends: our readable ends, `closed`
 *   resolves without our closing the writable, our TCP socket is closed,
 *   and the server saw our close_notify (a TLS 1.3 alert record, 24 bytes
 *   on its raw socket) and our FIN;
 * - openssl s_server -WWW (answers, then close_notify) and openssl
 *   s_client (stdin's end: close_notify) as the peers of connect() and
 *   accept(): the same end;
 * - allowHalfOpen: true: `closed` waits, a write after the peer's
 *   close_notify reaches the Node server, then closing ends all;
 * - unread data: the connection stays until the data has been read (as
 *   Node closes after 'end' is emitted): nothing is lost.
 * wasmtls/node against Node's own tls.TLSSocket as the oracle: the same
 * events ('end', then 'close', the writable ended) by default, and with
 * allowHalfOpen: true a write after 'end' that the server reads.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer as netServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { connect as nodeConnect } from '../ts/api/node.js';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
const enc = new TextEncoder();
const dec = new TextDecoder();

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.dispose());

/** What a Node tls server (TLS 1.3, on its own raw TCP socket) saw of one
 * connection after it ended its side. */
interface Seen {
  /** Plaintext the server read. */
  text: string;
  /** Sizes of the bytes its raw socket received after its end(). */
  rawAfterEnd: number[];
  /** The raw socket's FIN. */
  fin: boolean;
  /** The TLS socket's 'end'. */
  tlsEnd: boolean;
}

/**
 * A Node tls server that, at the client's first bytes, sends `greeting`
 * and ends (close_notify, FIN), with `allowHalfOpen: true` so it goes on
 * reading after its end, as a half-closing peer does. `seen` resolves
 * once the connection closed. (It waits for the client: Node's end()
 * right at 'secure' in TLS 1.3 sends a FIN without close_notify, as
 * openssl s_client shows: "unexpected eof while reading".)
 */
async function endingServer(greeting: string): Promise<{ port: number; seen: Promise<Seen>; server: Server }> {
  let done!: (s: Seen) => void;
  const seen = new Promise<Seen>((r) => (done = r));
  const server = netServer({ allowHalfOpen: true }, (raw: Socket) => {
    const s: Seen = { text: '', rawAfterEnd: [], fin: false, tlsEnd: false };
    let ended = false;
    // The TLS socket runs over this Duplex, so every byte and the FIN of
    // the TCP connection pass here where the test sees them.
    const wire = new Duplex({
      allowHalfOpen: true,
      read() {},
      write(chunk: Buffer, _enc, cb) {
        raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
      // The TLS socket may be done before our FIN arrives: the TCP
      // connection stays to see it (the net server is allowHalfOpen).
      destroy(err, cb) {
        raw.end();
        cb(err);
      },
    });
    raw.on('data', (d: Buffer) => {
      if (ended) s.rawAfterEnd.push(d.length);
      wire.push(d);
    });
    raw.on('end', () => {
      s.fin = true;
      wire.push(null);
      setImmediate(() => tls.destroy());
    });
    raw.on('error', () => {});
    const tls = new nodeTls.TLSSocket(wire, {
      isServer: true,
      cert: pki.serverChainPem,
      key: pki.serverKeyPem,
      minVersion: 'TLSv1.3',
    } as nodeTls.TLSSocketOptions);
    (tls as unknown as { allowHalfOpen: boolean }).allowHalfOpen = true;
    tls.on('error', () => {});
    let first = true;
    tls.on('data', (d: Buffer) => {
      if (first) {
        first = false;
        tls.end(greeting, () => {
          ended = true;
        });
        return;
      }
      s.text += d.toString('latin1');
    });
    tls.on('end', () => {
      s.tlsEnd = true;
    });
    raw.on('close', () => done(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

async function tcp(port: number): Promise<Socket> {
  const s = netConnect({ port, host: '127.0.0.1' });
  await once(s, 'connect');
  return s;
}

/** The client's first bytes, which make endingServer answer. */
async function go(tls: TLSSocket): Promise<void> {
  const w = tls.writable.getWriter();
  await w.write(enc.encode('go'));
  w.releaseLock();
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<string> {
  let out = '';
  const rd = r.getReader();
  for (let x = await rd.read(); !x.done; x = await rd.read()) out += dec.decode(x.value, { stream: true });
  return out;
}

const settled = (p: Promise<unknown>): Promise<string> => {
  let state = 'pending';
  p.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  return new Promise((r) => setTimeout(() => r(state), 300));
};

describe("wasmtls/tls: the peer's close_notify ends the connection (allowHalfOpen false, the default)", () => {
  it('Node tls server writes and ends: closed resolves, our TCP socket closes, the server sees our close_notify and FIN', async () => {
    const { port, seen, server } = await endingServer('hello from node');
    try {
      const sock = await tcp(port);
      const tls = connect({ transport: fromNodeSocket(sock), servername: 'localhost', ca: pki.caPem });
      await tls.opened;
      await go(tls);
      expect(await readAll(tls.readable)).toBe('hello from node');
      // The writable was never closed by us.
      await tls.closed;
      if (!sock.destroyed) await once(sock, 'close');
      expect(sock.destroyed).toBe(true);
      const s = await seen;
      expect(s.tlsEnd).toBe(true);
      expect(s.fin).toBe(true);
      // TLS 1.3 close_notify: one record, 5 bytes of header + the alert (2)
      // + its content type (1) + the AEAD tag (16).
      expect(s.rawAfterEnd.reduce((a, b) => a + b, 0)).toBe(24);
      // A write now is refused, and closing the writable is harmless.
      const w = tls.writable.getWriter();
      await expect(w.write(enc.encode('late'))).rejects.toThrow(/allowHalfOpen/);
    } finally {
      server.close();
    }
  });

  it.skipIf(!OPENSSL)('openssl s_server -WWW answers and ends: closed resolves without closing the writable', async () => {
    const port = await freePort();
    const srv = new Peer(
      'openssl',
      [
        's_server',
        '-accept',
        `127.0.0.1:${port}`,
        '-cert',
        pki.path('server-chain.crt'),
        '-key',
        pki.path('server.key'),
        '-WWW',
        '-naccept',
        '1',
      ],
      { cwd: pki.dir },
    );
    try {
      await srv.waitFor('ACCEPT');
      const sock = await tcp(port);
      const tls = connect({ transport: fromNodeSocket(sock), servername: 'localhost', ca: pki.caPem });
      await tls.opened;
      const w = tls.writable.getWriter();
      await w.write(enc.encode('GET /ca.crt HTTP/1.0\r\n\r\n'));
      w.releaseLock();
      const body = await readAll(tls.readable);
      expect(body).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      expect(body).toContain(pki.caPem.trim());
      await tls.closed;
      if (!sock.destroyed) await once(sock, 'close');
      expect(sock.destroyed).toBe(true);
    } finally {
      srv.kill();
    }
  });

  it.skipIf(!OPENSSL)(
    'openssl s_client sends and ends (stdin closed): our accept() reads it, then ends by itself; s_client reads our reply',
    async () => {
      const server = netServer({ allowHalfOpen: true });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      const conn = once(server, 'connection') as Promise<[Socket]>;
      const cli = new Peer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${port}`,
        '-servername',
        'localhost',
        '-CAfile',
        pki.path('ca.crt'),
        '-tls1_3',
        '-quiet',
        '-no_ign_eof',
      ]);
      try {
        const [raw] = await conn;
        const tls: TLSSocket = accept({ transport: fromNodeSocket(raw), cert: pki.serverChainPem, key: pki.serverKeyPem });
        await tls.opened;
        const w = tls.writable.getWriter();
        await w.write(enc.encode('reply before the end\n'));
        await cli.waitFor('reply before the end');
        cli.child.stdin.end('from s_client\n');
        expect(await readAll(tls.readable)).toBe('from s_client\n');
        await tls.closed;
        if (!raw.destroyed) await once(raw, 'close');
        expect(raw.destroyed).toBe(true);
      } finally {
        cli.kill();
        server.close();
      }
    },
  );

  it('data not yet read holds the end: closed waits until the readable was read to its end, and nothing is lost', async () => {
    const big = 'x'.repeat(200_000);
    const { port, seen, server } = await endingServer(big);
    try {
      const sock = await tcp(port);
      const tls = connect({ transport: fromNodeSocket(sock), servername: 'localhost', ca: pki.caPem, readableHighWaterMark: 16384 });
      await tls.opened;
      await go(tls);
      // Nothing read yet: the data (beyond the queue) waits in the
      // transport, and the connection stays.
      expect(await settled(tls.closed)).toBe('pending');
      expect(sock.destroyed).toBe(false);
      expect(await readAll(tls.readable)).toBe(big);
      await tls.closed;
      expect((await seen).tlsEnd).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe("wasmtls/tls: allowHalfOpen: true keeps the writable after the peer's close_notify", () => {
  it("closed waits; a write after the peer's close_notify reaches it; closing the writable ends all", async () => {
    const { port, seen, server } = await endingServer('bye');
    try {
      const sock = await tcp(port);
      const tls = connect({ transport: fromNodeSocket(sock), servername: 'localhost', ca: pki.caPem, allowHalfOpen: true });
      await tls.opened;
      await go(tls);
      expect(await readAll(tls.readable)).toBe('bye');
      expect(await settled(tls.closed)).toBe('pending');
      expect(sock.destroyed).toBe(false);
      const w = tls.writable.getWriter();
      await w.write(enc.encode('after your close_notify'));
      await w.close();
      await tls.closed;
      const s = await seen;
      expect(s.text).toBe('after your close_notify');
      expect(s.tlsEnd).toBe(true);
    } finally {
      server.close();
    }
  });
});

describe("wasmtls/node: as Node's tls.TLSSocket (the oracle, same server)", () => {
  type Events = { events: string[]; data: string; writableEnded: boolean; seen: Seen };
  async function run(which: 'node:tls' | 'wasmtls/node', allowHalfOpen: boolean): Promise<Events> {
    const { port, seen, server } = await endingServer('hi');
    try {
      const o = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ...(allowHalfOpen && { allowHalfOpen }) };
      const s = which === 'node:tls' ? nodeTls.connect(o) : nodeConnect(o);
      s.write('go');
      const events: string[] = [];
      let data = '';
      s.on('data', (d: Buffer) => {
        data += d.toString('latin1');
      });
      s.on('end', () => {
        events.push('end');
        // Half-open: still writable after the peer's end.
        if (allowHalfOpen) s.end('late write');
      });
      s.on('error', (e) => events.push(`error ${e.message}`));
      await once(s, 'close');
      events.push('close');
      return { events, data, writableEnded: s.writableEnded, seen: await seen };
    } finally {
      server.close();
    }
  }
  for (const allowHalfOpen of [false, true]) {
    it(`allowHalfOpen ${allowHalfOpen}: the same events and the same end for the server`, async () => {
      const theirs = await run('node:tls', allowHalfOpen);
      const ours = await run('wasmtls/node', allowHalfOpen);
      expect(theirs.events).toEqual(['end', 'close']);
      expect(ours.events).toEqual(theirs.events);
      expect(ours.data).toBe('hi');
      expect(ours.writableEnded).toBe(theirs.writableEnded);
      expect(theirs.seen.text).toBe(allowHalfOpen ? 'late write' : '');
      expect(ours.seen.text).toBe(theirs.seen.text);
      expect(ours.seen.tlsEnd).toBe(true);
      expect(ours.seen.fin).toBe(true);
    });
  }
});
