/**
 * 0-RTT early data, client side (RFC 8446 2.3, 4.2.10), against
 * `openssl s_server -early_data` (OpenSSL 3.0) on 127.0.0.1. The oracle is
 * the server's own word: s_server prints what SSL_read_early_data gave it
 * after "Early data received:", or "Early data was rejected"
 * (apps/s_server.c sv_body), and echoes nothing of its own; what it read
 * as normal data comes after.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept, connect, type ConnectOptions, type TLSInfo } from '../ts/api/tls.js';
import { Connection, TLSContext, type TLSContextOptions } from '../ts/core/connection.js';
import { TLSError } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { handshake, transfer } from '../ts/core/pump.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, listenTls, SocketPump } from './helpers/netpump.js';
import { have, payload, Peer } from './helpers/peers.js';
import { freePort } from './helpers/runtimes.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';
import { connected, deliver, makePair } from './helpers/tls-pair.js';

useBuild('simd');
let certs: TestCerts;
beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

const OPENSSL = have('openssl', ['version']);
const count = (hay: string, needle: Uint8Array) => hay.split(Buffer.from(needle).toString('latin1')).length - 1;

async function dial(port: number, opts: TLSContextOptions, session?: Uint8Array) {
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...opts });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  if (session) conn.setSession(session);
  const sock = await connectRetry(port);
  const pump = new SocketPump(conn, sock);
  return {
    conn,
    pump,
    dispose() {
      sock.destroy();
      conn.dispose();
      ctx.dispose();
    },
  };
}

function sServer(port: number, extra: string[], naccept = 2): Peer {
  return new Peer('openssl', [
    's_server',
    '-accept',
    `127.0.0.1:${port}`,
    '-tls1_3',
    '-naccept',
    String(naccept),
    '-cert',
    certs.server['ecdsa-p256'].certPath,
    '-key',
    certs.server['ecdsa-p256'].keyPath,
    ...extra,
  ]);
}

/** A first connection whose session (with the server's NewSessionTicket,
 * which s_server sends after the handshake) is kept. */
async function firstSession(port: number, srv: Peer): Promise<Uint8Array> {
  const d = await dial(port, {});
  try {
    await d.pump.handshake();
    const down = payload(64, 7);
    srv.write(down);
    await d.pump.readExactly(down.length);
    const s = d.conn.getSession();
    expect(s).toBeDefined();
    await d.pump.close();
    return s as Uint8Array;
  } finally {
    d.dispose();
  }
}

describe.skipIf(!OPENSSL)('client 0-RTT against openssl s_server', () => {
  it('s_server -early_data: the ticket allows it, the early bytes are accepted and read as early data', async () => {
    const port = await freePort();
    const srv = sServer(port, ['-early_data']);
    try {
      const session = await firstSession(port, srv);
      const d = await dial(port, {}, session);
      try {
        // OpenSSL 3.0 s_server -early_data: max_early_data 16384 in its tickets.
        expect(d.conn.getMaxEarlyData()).toBe(16384);
        expect(d.conn.getEarlyDataStatus()).toBe('NOT_SENT');
        const early = payload(1000, 11);
        const w = d.conn.writeEarlyData(early);
        expect(w).toEqual({ ok: true, written: early.length });
        d.pump.flush();
        await d.pump.handshake();
        expect(d.conn.sessionReused).toBe(true);
        expect(d.conn.getEarlyDataStatus()).toBe('ACCEPTED');
        const late = payload(200, 12);
        await d.pump.writeAll(late);
        await srv.waitFor(late);
        const out = srv.stdout.toString('latin1');
        // s_server writes the data it reads straight to fd 1 and its own
        // lines through a buffered BIO, so the two interleave out of order:
        // the oracle is its verdict line, and the early bytes delivered
        // exactly once, before the normal data.
        expect(out).toContain('Early data received:');
        expect(out).toContain('End of early data');
        expect(out).not.toContain('Early data was rejected');
        expect(count(out, early)).toBe(1);
        expect(out.indexOf(late.toString('latin1'))).toBeGreaterThan(out.indexOf(early.toString('latin1')));
        await d.pump.close();
      } finally {
        d.dispose();
      }
    } finally {
      srv.kill();
    }
  }, 30_000);
});

/** connect() to s_server, reading `expect` bytes the server writes; the
 * last session handed to onSession is returned with what was read. */
async function viaConnect(port: number, srv: Peer, o: Partial<ConnectOptions>, down: Uint8Array) {
  let session: Uint8Array | undefined;
  await srv.waitFor('ACCEPT'); // s_server listens
  const s = connect({
    transport: await connectTcp({ host: '127.0.0.1', port }),
    servername: 'localhost',
    rejectUnauthorized: false,
    onSession: (x) => {
      session = x;
    },
    ...o,
  });
  const info = await s.opened;
  srv.write(down);
  const reader = s.readable.getReader();
  let got = 0;
  while (got < down.length) {
    const r = await reader.read();
    if (r.done) break;
    got += r.value.length;
  }
  reader.releaseLock();
  await s.close();
  return { info, session: session ?? s.getSession(), got };
}

describe.skipIf(!OPENSSL)('connect({ earlyData }) against openssl s_server', () => {
  it('accepted: sent as 0-RTT once; opened says accepted', async () => {
    const port = await freePort();
    const srv = sServer(port, ['-early_data']);
    try {
      const first = await viaConnect(port, srv, {}, payload(32, 1));
      expect(first.info.earlyData).toBe('not-sent');
      const early = payload(500, 2);
      const second = await viaConnect(port, srv, { session: first.session, earlyData: early }, payload(32, 3));
      expect(second.info.sessionReused).toBe(true);
      expect(second.info.earlyData).toBe('accepted');
      const out = srv.stdout.toString('latin1');
      expect(out).toContain('Early data received:');
      expect(count(out, early)).toBe(1);
    } finally {
      srv.kill();
    }
  }, 30_000);

  it("key log: our CLIENT_EARLY_TRAFFIC_SECRET line is s_server's (its -keylogfile), first of the connection's lines", async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'wasmtls-early-'));
    const file = join(dir, 'server.keys');
    const srv = sServer(port, ['-early_data', '-keylogfile', file]);
    try {
      const first = await viaConnect(port, srv, {}, payload(32, 1));
      const lines: string[] = [];
      const second = await viaConnect(
        port,
        srv,
        { session: first.session, earlyData: payload(100, 41), keylog: (l) => lines.push(l) },
        payload(32, 3),
      );
      expect(second.info.earlyData).toBe('accepted');
      expect(lines[0]).toMatch(/^CLIENT_EARLY_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]{64}\n$/);
      const theirs = readFileSync(file, 'latin1').split('\n');
      expect(theirs).toContain(lines[0].trimEnd());
      // Every other line of ours is in the server's log too.
      for (const l of lines) expect(theirs).toContain(l.trimEnd());
    } finally {
      srv.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a ticket without early data (s_server without -early_data): sent after the handshake, once', async () => {
    const port = await freePort();
    const srv = sServer(port, []);
    try {
      const first = await viaConnect(port, srv, {}, payload(32, 1));
      const early = payload(300, 4);
      const second = await viaConnect(port, srv, { session: first.session, earlyData: early }, payload(32, 3));
      expect(second.info.sessionReused).toBe(true);
      expect(second.info.earlyData).toBe('not-sent');
      await srv.waitFor(early);
      expect(count(srv.stdout.toString('latin1'), early)).toBe(1);
    } finally {
      srv.kill();
    }
  }, 30_000);

  /** A session from one s_server, offered to a fresh one on the same port
   * (another ticket key): the ticket does not open, a full handshake, and
   * the early data is skipped by the server (RFC 8446 4.2.10). */
  async function rejectedBy() {
    const port = await freePort();
    const a = sServer(port, ['-early_data'], 1);
    let session: Uint8Array | undefined;
    try {
      session = (await viaConnect(port, a, {}, payload(32, 1))).session;
      await a.waitExit();
    } finally {
      a.kill();
    }
    const b = sServer(port, ['-early_data'], 1);
    return { b, port, session };
  }

  it("rejected (the server's ticket key changed): resent after the handshake, received once", async () => {
    const { b, port, session } = await rejectedBy();
    try {
      const early = payload(700, 5);
      const second = await viaConnect(port, b, { session, earlyData: early }, payload(32, 3));
      expect(second.info.sessionReused).toBe(false);
      expect(second.info.earlyData).toBe('rejected');
      await b.waitFor(early);
      const out = b.stdout.toString('latin1');
      expect(out).toContain('Early data was rejected');
      expect(count(out, early)).toBe(1);
    } finally {
      b.kill();
    }
  }, 30_000);

  it("rejected with earlyDataRejected: 'error': opened rejects with ERR_TLS_EARLY_DATA_REJECTED, nothing delivered", async () => {
    const { b, port, session } = await rejectedBy();
    try {
      const early = payload(700, 6);
      await b.waitFor('ACCEPT');
      const s = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        servername: 'localhost',
        rejectUnauthorized: false,
        session,
        earlyData: early,
        earlyDataRejected: 'error',
      });
      const e = await s.opened.then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(TLSError);
      expect((e as TLSError).code).toBe('ERR_TLS_EARLY_DATA_REJECTED');
      await s.closed.catch(() => {});
      await b.waitFor('Early data was rejected');
      expect(count(b.stdout.toString('latin1'), early)).toBe(0);
    } finally {
      b.kill();
    }
  }, 30_000);

  it('a HelloRetryRequest rejects early data (4.2.10): the second ClientHello goes without it, data resent', async () => {
    const port = await freePort();
    // Our first key share is not P-256: s_server asks for it by HRR, on
    // the first connection and the resumption alike.
    const srv = sServer(port, ['-early_data', '-groups', 'P-256']);
    try {
      const first = await viaConnect(port, srv, {}, payload(32, 1));
      const early = payload(400, 8);
      const second = await viaConnect(port, srv, { session: first.session, earlyData: early }, payload(32, 3));
      // (s_server 3.0 does not resume after its HelloRetryRequest here,
      // with or without early data: sessionReused is not asserted.)
      expect(second.info.group).toBe('secp256r1');
      expect(second.info.earlyData).toBe('rejected');
      await srv.waitFor(early);
      const out = srv.stdout.toString('latin1');
      expect(out).toContain('Early data was rejected');
      expect(count(out, early)).toBe(1);
    } finally {
      srv.kill();
    }
  }, 30_000);
});

// ---- in memory, against our own server (which accepts no 0-RTT) ------------

const KEY = new Uint8Array(32).fill(5);
const used = (): number => wasm().memoryUsage().used;

/** A session from our server (ticket key KEY); with `maxEarly`, its
 * max_early_data_size field (the blob ends with it, then the ALPN length
 * and ALPN: "WTS3", crypto-src/tls/hs13_client.c) set as if the ticket
 * had allowed early data. */
function ourSession(maxEarly?: number): Uint8Array {
  const p = connected(certs.server['ecdsa-p256'], {}, { ticketKey: KEY, tickets: 1 });
  try {
    expect(p.c.write(new Uint8Array([1]))).toBe(1); // reads the ticket
    const s = p.c.getSession() as Uint8Array;
    expect(new TextDecoder().decode(s.subarray(0, 4))).toBe('WTS3');
    expect(s[s.length - 1]).toBe(0); // no ALPN
    if (maxEarly !== undefined) new DataView(s.buffer, s.byteOffset).setUint32(s.length - 5, maxEarly);
    return s;
  } finally {
    p.dispose();
  }
}

describe('client 0-RTT in memory', () => {
  it('our server skips early data it did not allow (RFC 8446 4.2.10) and completes the handshake; nothing lost after it; memory back to baseline', () => {
    const round = () => {
      const p = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
      try {
        p.c.setSession(ourSession(16384));
        expect(p.c.getMaxEarlyData()).toBe(16384);
        const early = payload(5000, 21);
        expect(p.c.writeEarlyData(early)).toEqual({ ok: true, written: 5000 });
        expect(p.c.getEarlyDataStatus()).toBe('REJECTED'); // offered, not answered
        handshake(p.c, p.s);
        expect(p.c.sessionReused).toBe(true);
        expect(p.c.getEarlyDataStatus()).toBe('REJECTED');
        expect(p.s.pending()).toBe(0);
        // Too late for early data now (the server's reply was read).
        expect(p.c.writeEarlyData(early).ok).toBe(false);
        expect(p.c.getError(false)).toBe('SSL');
        const late = payload(300, 22);
        expect(p.c.write(late)).toBe(late.length);
        expect(Buffer.from(deliver(p.c, p.s)).equals(late)).toBe(true);
      } finally {
        p.dispose();
      }
    };
    round(); // first use allocates what stays (pools, caches)
    const base = used();
    round();
    expect(used()).toBe(base);
  });

  it('more early data than our server skips (16384 bytes with headers): unexpected_message', () => {
    const p = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
    try {
      p.c.setSession(ourSession(20000));
      expect(p.c.writeEarlyData(payload(16384, 23)).ok).toBe(true);
      expect(() => handshake(p.c, p.s)).toThrow(TLSError);
      const e = p.s.error as TLSError;
      expect(e.alert).toBe(10); // unexpected_message, sent
      expect(e.alertDirection).toBe('sent');
    } finally {
      p.dispose();
    }
  });

  it('writeEarlyData refused (SSL, nothing sent, the connection goes on): no session, a ticket without early data, over max_early_data_size, a server', () => {
    const check = (conn: Connection, data: Uint8Array) => {
      const before = conn.network.pending();
      const r = conn.writeEarlyData(data);
      expect(r).toEqual({ ok: false, written: 0 });
      expect(conn.getError(false)).toBe('SSL');
      expect(conn.network.pending()).toBe(before);
    };
    const p = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
    try {
      check(p.c, payload(10, 1));
      check(p.s, payload(10, 1));
      handshake(p.c, p.s);
      expect(p.c.getEarlyDataStatus()).toBe('NOT_SENT');
    } finally {
      p.dispose();
    }
    const q = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
    try {
      q.c.setSession(ourSession());
      expect(q.c.getMaxEarlyData()).toBe(0);
      check(q.c, payload(10, 1));
      handshake(q.c, q.s);
      expect(q.c.sessionReused).toBe(true);
      expect(q.c.getEarlyDataStatus()).toBe('NOT_SENT');
    } finally {
      q.dispose();
    }
    const r = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
    try {
      r.c.setSession(ourSession(100));
      check(r.c, payload(101, 1));
      expect(r.c.writeEarlyData(payload(60, 1))).toEqual({ ok: true, written: 60 });
      check(r.c, payload(41, 1)); // 60 + 41 > 100
      expect(r.c.writeEarlyData(payload(40, 1))).toEqual({ ok: true, written: 40 });
      handshake(r.c, r.s);
      expect(r.c.getEarlyDataStatus()).toBe('REJECTED');
    } finally {
      r.dispose();
    }
  });

  it('a session saved before 0-RTT ("WTS2") still loads and resumes, allowing no early data', () => {
    const s3 = ourSession(16384);
    const s2 = s3.slice(0, s3.length - 5);
    s2.set(new TextEncoder().encode('WTS2'));
    const p = makePair(certs.server['ecdsa-p256'], {}, { ticketKey: KEY });
    try {
      p.c.setSession(s2);
      expect(p.c.getMaxEarlyData()).toBe(0);
      handshake(p.c, p.s);
      expect(p.c.sessionReused).toBe(true);
    } finally {
      p.dispose();
    }
    // A WTS3 blob cut short, or with trailing bytes, is refused clearly.
    const q = makePair(certs.server['ecdsa-p256']);
    try {
      expect(() => q.c.setSession(s3.subarray(0, s3.length - 1))).toThrow(TLSError);
      const longer = new Uint8Array(s3.length + 1);
      longer.set(s3);
      expect(() => q.c.setSession(longer)).toThrow(TLSError);
    } finally {
      q.dispose();
    }
  });
});

const GNUTLS = have('gnutls-serv', ['--version']);

describe.skipIf(!GNUTLS)('client 0-RTT against gnutls-serv --earlydata', () => {
  // gnutls-serv 3.7.9 takes the early data (its EncryptedExtensions says
  // so) but its --echo does not read it (gnutls_record_recv_early_data is
  // not called), so the oracle is its acceptance and the handshake it
  // completes: it opens our 0-RTT records and then our EndOfEarlyData
  // under client_early_traffic_secret (a record it cannot open is
  // bad_record_mac, RFC 8446 4.2.10), and echoes what follows.
  it('accepted, the handshake completes over our EndOfEarlyData, data after it echoed', async () => {
    const port = await freePort();
    const srv = new Peer('gnutls-serv', [
      '--echo',
      '--earlydata',
      '-p',
      String(port),
      '--x509certfile',
      certs.server['ecdsa-p256'].certPath,
      '--x509keyfile',
      certs.server['ecdsa-p256'].keyPath,
      '--priority',
      'NORMAL:-VERS-ALL:+VERS-TLS1.3',
    ]);
    try {
      let session: Uint8Array | undefined;
      for (const early of [undefined, payload(640, 31)]) {
        const s = connect({
          transport: await connectTcp({ host: '127.0.0.1', port }).catch(async () => {
            await new Promise((r) => setTimeout(r, 500)); // gnutls-serv still starting
            return connectTcp({ host: '127.0.0.1', port });
          }),
          servername: 'localhost',
          rejectUnauthorized: false,
          session,
          earlyData: early,
          onSession: (x) => {
            session = x;
          },
        });
        const info = await s.opened;
        if (early) expect(s.connection.getMaxEarlyData()).toBe(16384); // gnutls-serv's default, from the first ticket
        expect(info.sessionReused).toBe(early !== undefined);
        expect(info.earlyData).toBe(early ? 'accepted' : 'not-sent');
        const up = payload(128, 32); // whole lines: --echo answers lines
        const w = s.writable.getWriter();
        await w.write(up);
        const r = s.readable.getReader();
        let got = Buffer.alloc(0);
        while (got.length < up.length) {
          const x = await r.read();
          if (x.done) break;
          got = Buffer.concat([got, x.value]);
        }
        expect(got.equals(up)).toBe(true);
        r.releaseLock();
        w.releaseLock();
        await s.close();
      }
    } finally {
      srv.kill();
    }
  }, 30_000);
});

// ---- server 0-RTT (early_server.c), our client <-> our server in memory ----

describe('server 0-RTT in memory', () => {
  const cert = () => certs.server['ecdsa-p256'];
  /** A server context allowing `max` bytes of 0-RTT, with ALPN `alpn`. */
  const serverCtx = (max: number, alpn = ['h2']) =>
    new TLSContext({ cert: cert().certPem, key: cert().keyPem, ticketKey: KEY, tickets: 1, maxEarlyData: max, alpn });
  /** A session from a full handshake with `sctx` (the client offers `alpn`). */
  const sessionFrom = (sctx: TLSContext, alpn = ['h2']): Uint8Array => {
    const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    try {
      c.setConnectState();
      s.setAcceptState();
      handshake(c, s);
      expect(c.write(new Uint8Array([1]))).toBe(1); // reads the ticket
      return c.getSession() as Uint8Array;
    } finally {
      c.dispose();
      s.dispose();
      cctx.dispose();
    }
  };
  /** One resumption with `early` written as 0-RTT; what the server read
   * as early data, its status, the client's, and the data after. */
  const resume = (sctx: TLSContext, sess: Uint8Array, early: Uint8Array, alpn = ['h2']) => {
    const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn });
    const c = new Connection(cctx);
    const s = new Connection(sctx);
    try {
      c.setConnectState();
      s.setAcceptState();
      c.setSession(sess);
      expect(c.writeEarlyData(early)).toEqual({ ok: true, written: early.length });
      const got: Uint8Array[] = [];
      for (let i = 0; i < 100; i++) {
        transfer(c, s);
        const r = s.readEarlyData();
        if (r.status === 'SUCCESS') got.push(r.data);
        else if (r.status === 'FINISH') break;
        else if (s.getError(false) !== 'WANT_READ') throw s.error;
        transfer(s, c);
        c.readEx(); // the client reads the server's flight, sends EndOfEarlyData
      }
      handshake(c, s);
      const late = payload(100, 31);
      expect(c.write(late)).toBe(late.length);
      const after = deliver(c, s);
      return {
        early: Buffer.concat(got),
        server: s.getEarlyDataStatus(),
        client: c.getEarlyDataStatus(),
        after,
        late,
        reused: s.sessionReused,
      };
    } finally {
      c.dispose();
      s.dispose();
      cctx.dispose();
    }
  };

  it('accepted: the server reads the bytes as early data (SSL_read_early_data), both sides say ACCEPTED; the same ticket a second time is refused (single-use, RFC 8446 8.1); memory back to baseline', () => {
    const sctx = serverCtx(16384);
    try {
      const sess = sessionFrom(sctx);
      const early = payload(5000, 30);
      const a = resume(sctx, sess, early);
      expect(a.reused).toBe(true);
      expect(a.server).toBe('ACCEPTED');
      expect(a.client).toBe('ACCEPTED');
      expect(a.early.equals(early)).toBe(true);
      expect(Buffer.from(a.after).equals(a.late)).toBe(true);
      // Replay of the same ticket's 0-RTT: refused (1-RTT goes on, nothing read as early data).
      const b = resume(sctx, sess, early);
      expect(b.reused).toBe(true);
      expect(b.server).toBe('REJECTED');
      expect(b.client).toBe('REJECTED');
      expect(b.early.length).toBe(0);
      expect(Buffer.from(b.after).equals(b.late)).toBe(true);
      // Memory: a fresh ticket's accepted round costs nothing that stays.
      resume(sctx, sessionFrom(sctx), early);
      const base = used();
      resume(sctx, sessionFrom(sctx), early);
      expect(used()).toBe(base);
    } finally {
      sctx.dispose();
    }
  });

  it('accepted 0-RTT whose record does not decrypt (a byte of its tag changed on the wire): bad_record_mac, memory back to baseline (RFC 8446 4.2.10, 5.2)', () => {
    const sctx = serverCtx(16384);
    try {
      const sess = sessionFrom(sctx);
      sessionFrom(sctx); // warm: the baseline below holds what a context keeps
      const base = used();
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn: ['h2'] });
      const c = new Connection(cctx);
      const s = new Connection(sctx);
      try {
        c.setConnectState();
        s.setAcceptState();
        c.setSession(sess);
        expect(c.writeEarlyData(payload(3000, 40)).ok).toBe(true);
        // The first flight: ClientHello (and a CCS), then the early data
        // record last; its last byte is the AEAD tag's.
        const flight = c.network.read(1 << 20);
        flight[flight.length - 1] ^= 1;
        s.network.write(flight);
        const r = s.readEarlyData();
        expect(r.status).toBe('ERROR');
        expect(s.getError(false)).toBe('SSL');
        // The server took the 0-RTT (the ticket's first use), so a record
        // it cannot open is not skipped: bad_record_mac (alert 20).
        expect(s.getEarlyDataStatus()).toBe('ACCEPTED');
        expect((s.error as TLSError).alert).toBe(20);
      } finally {
        c.dispose();
        s.dispose();
        cctx.dispose();
      }
      expect(used()).toBe(base);
    } finally {
      sctx.dispose();
    }
  });

  it("off (maxEarlyData 0, the default): the ticket allows none; ALPN other than the ticket's: rejected (RFC 8446 4.2.10)", () => {
    const off = serverCtx(0);
    try {
      const sess = sessionFrom(off);
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn: ['h2'] });
      const c = new Connection(cctx);
      c.setConnectState();
      c.setSession(sess);
      expect(c.getMaxEarlyData()).toBe(0);
      c.dispose();
      cctx.dispose();
    } finally {
      off.dispose();
    }
    const sctx = serverCtx(16384, ['h2', 'http/1.1']);
    const other = serverCtx(16384, ['http/1.1', 'h2']); // same ticket key, prefers http/1.1
    try {
      const sess = sessionFrom(sctx, ['h2', 'http/1.1']); // negotiated h2
      // The client offers both: it sends 0-RTT under h2; this server picks
      // http/1.1, not the ticket's protocol: early data refused, 1-RTT goes on.
      const r = resume(other, sess, payload(10, 32), ['h2', 'http/1.1']);
      expect(r.reused).toBe(true);
      expect(r.server).toBe('REJECTED');
      expect(r.client).toBe('REJECTED');
      expect(r.early.length).toBe(0);
      // The same session with the server that picks h2: accepted.
      const ok = resume(sctx, sess, payload(10, 32), ['h2', 'http/1.1']);
      expect(ok.server).toBe('ACCEPTED');
      expect(ok.early.length).toBe(10);
    } finally {
      sctx.dispose();
      other.dispose();
    }
  });

  it('more than max_early_data_size of 0-RTT: unexpected_message (RFC 8446 4.2.10)', () => {
    const big = serverCtx(20000);
    const sess = sessionFrom(big);
    big.dispose();
    const sctx = serverCtx(1000); // same ticket key: the ticket says 20000, this server reads 1000
    try {
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', alpn: ['h2'] });
      const c = new Connection(cctx);
      const s = new Connection(sctx);
      try {
        c.setConnectState();
        s.setAcceptState();
        c.setSession(sess);
        expect(c.writeEarlyData(payload(5000, 33)).ok).toBe(true);
        let st = '';
        for (let i = 0; i < 20 && st !== 'ERROR'; i++) {
          transfer(c, s);
          const r = s.readEarlyData();
          st = r.status === 'ERROR' && s.getError(false) === 'WANT_READ' ? 'WAIT' : r.status;
          transfer(s, c);
          c.readEx();
        }
        expect(st).toBe('ERROR');
        const e = s.error as TLSError;
        expect(e.alert).toBe(10);
      } finally {
        c.dispose();
        s.dispose();
        cctx.dispose();
      }
    } finally {
      sctx.dispose();
    }
  });
});

// ---- server 0-RTT against openssl s_client -early_data ----------------------

describe.skipIf(!OPENSSL)('server 0-RTT against openssl s_client', () => {
  /** Read early data on `conn` until FINISH (feeding the socket). */
  async function readEarly(pump: SocketPump, conn: Connection): Promise<Buffer> {
    const got: Uint8Array[] = [];
    for (let i = 0; i < 1000; i++) {
      pump.feed();
      const r = conn.readEarlyData();
      pump.flush();
      if (r.status === 'SUCCESS') got.push(r.data);
      else if (r.status === 'FINISH') return Buffer.concat(got);
      else if (conn.getError(false) === 'WANT_READ') await pump.waitBytesIn(pump.bytesIn);
      else throw conn.error ?? new Error(`readEarlyData: ${conn.getError(false)}`);
    }
    throw new Error('readEarlyData: no end');
  }

  /** The ticket from a server allowing 16384 bytes; the resumption to one
   * allowing `maxEarly` (the same ticket key). */
  const run = async (maxEarly: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-early-srv-'));
    const mk = (max: number) =>
      new TLSContext({
        cert: certs.server['ecdsa-p256'].certPem,
        key: certs.server['ecdsa-p256'].keyPem,
        ticketKey: KEY,
        tickets: 1,
        maxEarlyData: max,
      });
    const srv = await listenTls(mk(16384));
    const srv2 = await listenTls(mk(maxEarly));
    try {
      const sess = join(dir, 'sess.pem');
      const earlyFile = join(dir, 'early.txt');
      const early = 'GET /early HTTP/1.0\n';
      writeFileSync(earlyFile, early);
      // First connection: a full handshake; s_client keeps the ticket (-sess_out).
      const c1 = new Peer('openssl', ['s_client', '-connect', `127.0.0.1:${srv.port}`, '-tls1_3', '-sess_out', sess]);
      const a = await srv.accept();
      await a.pump.handshake();
      await a.pump.writeAll(new TextEncoder().encode('hello\n'));
      await c1.waitFor('hello');
      c1.child.stdin.end();
      await c1.waitExit();
      // Second: -sess_in with -early_data.
      const c2 = new Peer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${srv2.port}`,
        '-tls1_3',
        '-sess_in',
        sess,
        '-early_data',
        earlyFile,
      ]);
      const b = await srv2.accept();
      const asEarly = await readEarly(b.pump, b.conn);
      await b.pump.handshake();
      const status = b.conn.getEarlyDataStatus();
      const reused = b.conn.sessionReused;
      await b.pump.writeAll(new TextEncoder().encode('bye\n'));
      await c2.waitFor('bye');
      const out = c2.stdout.toString();
      c2.child.stdin.end();
      await c2.waitExit();
      return { asEarly: asEarly.toString(), status, reused, out, early };
    } finally {
      srv.dispose();
      srv2.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('on (maxEarlyData 16384): s_client -sess_in -early_data; the app reads the bytes as early data, s_client prints "Early data was accepted"', async () => {
    const r = await run(16384);
    expect(r.reused).toBe(true);
    expect(r.status).toBe('ACCEPTED');
    expect(r.asEarly).toBe(r.early);
    expect(r.out).toContain('Early data was accepted');
  });

  it('off (the default) on the resuming server: the early data is skipped (rejected), the handshake completes, s_client prints "Early data was rejected"', async () => {
    // (s_client does not send the bytes again after a rejection; a ticket from a
    // server with 0-RTT off carries no early_data, and s_client then sends none.)
    const r = await run(0);
    expect(r.reused).toBe(true);
    expect(r.status).toBe('REJECTED');
    expect(r.asEarly).toBe('');
    expect(r.out).toContain('Early data was rejected');
  });
});

// ---- accept({ earlyData }) ---------------------------------------------------

describe('accept({ earlyData: true })', () => {
  /** A node:net server whose connections go to accept() with `ctx`; the
   * opened info and the first `want` bytes of each connection's stream. */
  async function server(ctx: TLSContext, want: number) {
    const seen: { info: TLSInfo; stream: Buffer }[] = [];
    const errors: unknown[] = [];
    const srv = createServer((sock) => {
      const t = accept({
        transport: fromNodeSocket(sock),
        context: ctx,
        cert: certs.server['ecdsa-p256'].certPem,
        key: certs.server['ecdsa-p256'].keyPem,
        earlyData: true,
      });
      t.opened
        .then(async (info) => {
          const r = t.readable.getReader();
          const parts: Uint8Array[] = [];
          let n = 0;
          while (n < want) {
            const x = await r.read();
            if (x.done) break;
            parts.push(x.value);
            n += x.value.length;
          }
          seen.push({ info, stream: Buffer.concat(parts) });
          const w = t.writable.getWriter();
          await w.write(new TextEncoder().encode('ok'));
          w.releaseLock();
          await t.close();
        })
        .catch((e) => errors.push(e));
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    return { port: (srv.address() as AddressInfo).port, seen, errors, close: () => new Promise((r) => srv.close(r)) };
  }

  async function client(port: number, o: Partial<ConnectOptions>) {
    let session: Uint8Array | undefined;
    const s = connect({
      transport: await connectTcp({ host: '127.0.0.1', port }),
      servername: 'localhost',
      rejectUnauthorized: false,
      onSession: (x) => {
        session = x;
      },
      ...o,
    });
    const info = await s.opened;
    if (o.earlyData === undefined) {
      const w = s.writable.getWriter();
      await w.write(new TextEncoder().encode('one'));
      w.releaseLock();
    }
    const r = s.readable.getReader();
    await r.read(); // "ok"
    r.releaseLock();
    await s.close();
    return { info, session: session ?? s.getSession() };
  }

  it("our connect() -> our accept(): the bytes come as earlyDataBytes, not in the stream; the ticket's second 0-RTT is refused and the client's resend arrives in the stream", async () => {
    const ctx = new TLSContext({
      cert: certs.server['ecdsa-p256'].certPem,
      key: certs.server['ecdsa-p256'].keyPem,
      ticketKey: KEY,
      tickets: 2,
      maxEarlyData: 4096,
    });
    const early = payload(700, 9);
    const srv = await server(ctx, 3);
    try {
      const first = await client(srv.port, {});
      expect(first.info.earlyData).toBe('not-sent');
      const srv2 = await server(ctx, 0);
      try {
        const second = await client(srv2.port, { session: first.session, earlyData: early });
        expect(second.info.sessionReused).toBe(true);
        expect(second.info.earlyData).toBe('accepted');
        await vi.waitFor(() => expect(srv2.seen.length).toBe(1));
        expect(srv2.seen[0].info.earlyData).toBe('accepted');
        expect(Buffer.from(srv2.seen[0].info.earlyDataBytes ?? []).equals(Buffer.from(early))).toBe(true);
        expect(srv2.seen[0].stream.length).toBe(0);
      } finally {
        await srv2.close();
      }
      // The same ticket again (the session from the first connection): a
      // replay as far as the server knows. Refused as 0-RTT (single use,
      // RFC 8446 8.1); our client sends the bytes after the handshake.
      const srv3 = await server(ctx, early.length);
      try {
        const third = await client(srv3.port, { session: first.session, earlyData: early });
        expect(third.info.sessionReused).toBe(true);
        expect(third.info.earlyData).toBe('rejected');
        await vi.waitFor(() => expect(srv3.seen.length).toBe(1));
        expect(srv3.seen[0].info.earlyData).toBe('rejected');
        expect(srv3.seen[0].info.earlyDataBytes).toBeUndefined();
        expect(srv3.seen[0].stream.equals(Buffer.from(early))).toBe(true);
      } finally {
        await srv3.close();
      }
      expect(srv.errors).toEqual([]);
    } finally {
      await srv.close();
      ctx.dispose();
    }
  }, 30_000);

  it("clients that send no 0-RTT still connect: Node's tls in TLS 1.2 and in TLS 1.3 (opened.earlyData 'not-sent')", async () => {
    const ctx = new TLSContext({
      cert: certs.server['ecdsa-p256'].certPem,
      key: certs.server['ecdsa-p256'].keyPem,
      ticketKey: KEY,
      maxEarlyData: 4096,
    });
    const srv = await server(ctx, 3);
    try {
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
        const got = await new Promise<string>((resolve, reject) => {
          const s = tlsConnect({ host: '127.0.0.1', port: srv.port, rejectUnauthorized: false, maxVersion }, () => {
            s.write('one');
          });
          let text = '';
          s.on('data', (d: Buffer) => {
            text += d.toString();
          });
          s.on('end', () => resolve(text));
          s.on('error', reject);
        });
        expect(got).toBe('ok');
      }
      await vi.waitFor(() => expect(srv.seen.length).toBe(2));
      expect(srv.seen.map((x) => [x.info.version, x.info.earlyData, x.info.earlyDataBytes])).toEqual([
        ['TLSv1.2', 'not-sent', undefined],
        ['TLSv1.3', 'not-sent', undefined],
      ]);
      expect(srv.errors).toEqual([]);
    } finally {
      await srv.close();
      ctx.dispose();
    }
  }, 30_000);

  it('refused without a context that allows early data (the replay record lives in it)', async () => {
    const t = new TransformStream<Uint8Array, Uint8Array>();
    const s = accept({
      transport: { readable: t.readable, writable: new WritableStream(), close: async () => {} },
      cert: certs.server['ecdsa-p256'].certPem,
      key: certs.server['ecdsa-p256'].keyPem,
      earlyData: true,
    });
    await expect(s.opened).rejects.toThrow(/`earlyData` needs a `context` with `maxEarlyData` > 0/);
  });
});
