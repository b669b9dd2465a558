/**
 * Key log (NSS SSLKEYLOGFILE lines, TLSContextOptions.keylog) against an
 * independent oracle: Node's tls module, whose 'keylog' event gives the
 * lines OpenSSL writes for its side of the same connection. Our client
 * with a Node server and our server with a Node client, for both hash
 * sizes (SHA-256 and SHA-384 secrets), with a HelloRetryRequest and with
 * a resumed session: our lines must be Node's lines for the other end of
 * the connection (same labels, client random and secrets), and in the
 * order Node itself gives them for our role (taken from a Node client <->
 * Node server handshake: OpenSSL orders a client's lines and a server's
 * differently). Then, in memory: nothing is
 * recorded without a callback, a throwing callback breaks nothing, and a
 * KeyUpdate logs nothing new.
 */
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, TLSContext, type CipherSuiteName, type TLSContextOptions } from '../ts/core/connection.js';
import { wasm } from '../ts/core/loader.js';
import { useBuild } from './helpers/env.js';
import { connectRetry, listenTls, SocketPump } from './helpers/netpump.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';
import { deliver, equalBytes, handshake, makePair, pattern } from './helpers/tls-pair.js';

useBuild('simd');
let certs: TestCerts;
const closers: (() => void)[] = [];

beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => {
  for (const f of closers) f();
  certs?.dispose();
});

const LINE =
  /^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} ([0-9a-f]+)\n$/;

const labels = (lines: string[]) => lines.map((l) => l.split(' ')[0]);
const sorted = (lines: string[]) => [...lines].sort();
const HASH_LEN: Record<string, number> = { TLS_AES_128_GCM_SHA256: 32, TLS_AES_256_GCM_SHA384: 48, TLS_CHACHA20_POLY1305_SHA256: 32 };

/** Label order Node gives each role, from a Node <-> Node handshake. */
let nodeOrder: { client: string[]; server: string[] };
beforeAll(async () => {
  const cert = certs.server['ecdsa-p256'];
  const server: string[] = [],
    client: string[] = [];
  const srv = tls.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.3' }, (s) => s.end());
  srv.on('keylog', (l: Buffer) => server.push(l.toString('latin1')));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  await new Promise<void>((r, j) => {
    const c = tls.connect({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port, rejectUnauthorized: false });
    c.on('keylog', (l: Buffer) => client.push(l.toString('latin1')));
    c.on('data', () => {});
    c.on('end', () => {
      c.end();
      r();
    });
    c.on('error', j);
  });
  srv.close();
  expect(sorted(client)).toEqual(sorted(server));
  nodeOrder = { client: labels(client), server: labels(server) };
});

/** Our lines against Node's from the other end, and in Node's order for
 * our role. */
function checkAgainstNode(ours: string[], theirs: string[], role: 'client' | 'server'): void {
  expect(sorted(ours)).toEqual(sorted(theirs));
  expect(labels(ours)).toEqual(nodeOrder[role]);
}

/** Each line well formed, secrets of the suite's hash length. */
function checkShape(lines: string[], hashLen: number): void {
  expect(lines).toHaveLength(5);
  for (const l of lines) {
    const m = LINE.exec(l);
    expect(m, l).not.toBeNull();
    expect(m![2].length).toBe(2 * hashLen);
  }
  // One client random per connection.
  expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(1);
}

/** A Node TLS server recording its keylog lines per connection. */
async function nodeServer(opts: tls.TlsOptions) {
  const cert = certs.server['ecdsa-p256'];
  const logs = new Map<tls.TLSSocket, string[]>();
  const order: tls.TLSSocket[] = [];
  const secured: ((s: tls.TLSSocket) => void)[] = [];
  const srv = tls.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.3', ...opts }, (s) => {
    s.on('data', () => {});
    s.on('error', () => {});
    s.write('ok');
    secured.shift()?.(s);
  });
  srv.on('keylog', (line: Buffer, s: tls.TLSSocket) => {
    if (!logs.has(s)) {
      logs.set(s, []);
      order.push(s);
    }
    logs.get(s)!.push(line.toString('latin1'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closers.push(() => srv.close());
  return {
    port: (srv.address() as AddressInfo).port,
    /** Resolves with the next connection once Node finished its handshake. */
    next: () => new Promise<tls.TLSSocket>((r) => secured.push(r)),
    linesOf: (s: tls.TLSSocket) => logs.get(s) ?? [],
  };
}

/** Our client to 127.0.0.1:port with a keylog callback. */
async function dial(port: number, opts: TLSContextOptions, session?: Uint8Array) {
  const lines: string[] = [];
  const ctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...opts, keylog: (l) => lines.push(l) });
  const conn = new Connection(ctx);
  conn.setConnectState();
  conn.setServerName('localhost');
  if (session) conn.setSession(session);
  const sock = await connectRetry(port);
  const pump = new SocketPump(conn, sock);
  return {
    conn,
    pump,
    lines,
    dispose() {
      sock.destroy();
      conn.dispose();
      ctx.dispose();
    },
  };
}

/** Our server on 127.0.0.1 with a keylog callback; accept() gives the next
 * connection and its lines. */
async function listen(opts: TLSContextOptions) {
  const cert = certs.server['ecdsa-p256'];
  const lines = new Map<Connection, string[]>();
  const l = await listenTls(
    new TLSContext({
      cert: cert.certPem,
      key: cert.keyPem,
      ...opts,
      keylog: (line, conn) => {
        if (!lines.has(conn)) lines.set(conn, []);
        lines.get(conn)!.push(line);
      },
    }),
  );
  return {
    ...l,
    async accept() {
      const a = await l.accept();
      return { ...a, lines: () => lines.get(a.conn) ?? [] };
    },
  };
}

/** A Node TLS client recording its keylog lines. */
function nodeClient(port: number, opts: tls.ConnectionOptions) {
  const lines: string[] = [];
  const sock = tls.connect({
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    ...opts,
  });
  sock.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
  sock.on('data', () => {});
  const secure = new Promise<void>((r, j) => {
    sock.once('secureConnect', () => r());
    sock.once('error', j);
  });
  sock.on('error', () => {});
  return { sock, lines, secure };
}

const SUITES: CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'];

describe("our client <-> Node tls.createServer: lines equal Node server's", () => {
  for (const suite of SUITES) {
    it(suite, async () => {
      const n = await nodeServer({ ciphers: suite });
      const got = n.next();
      const d = await dial(n.port, { suites: [suite] });
      try {
        await d.pump.handshake();
        expect(d.conn.cipher).toBe(suite);
        // Node's last line (CLIENT_TRAFFIC_SECRET_0) comes with our Finished.
        const s = await got;
        expect(Buffer.from(await d.pump.readExactly(2)).toString()).toBe('ok');
        checkShape(d.lines, HASH_LEN[suite]);
        checkAgainstNode(d.lines, n.linesOf(s), 'client');
        // After a KeyUpdate both ways: no new line on either side.
        expect(d.conn.keyUpdate(true)).toBe(true);
        await d.pump.writeAll(new Uint8Array([1, 2, 3]));
        s.write('again');
        expect(Buffer.from(await d.pump.readExactly(5)).toString()).toBe('again');
        expect(d.lines).toHaveLength(5);
        expect(n.linesOf(s)).toHaveLength(5);
        s.destroy();
      } finally {
        d.dispose();
      }
    });
  }

  it('HelloRetryRequest (Node takes only P-256, we guess X25519)', async () => {
    const n = await nodeServer({ ecdhCurve: 'P-256' });
    const got = n.next();
    const d = await dial(n.port, { groups: ['x25519', 'secp256r1'] });
    try {
      await d.pump.handshake();
      expect(d.conn.hrrSeen).toBe(true);
      const s = await got;
      await d.pump.readExactly(2);
      checkShape(d.lines, HASH_LEN[d.conn.cipher!]);
      checkAgainstNode(d.lines, n.linesOf(s), 'client');
      s.destroy();
    } finally {
      d.dispose();
    }
  });

  it('resumed session (PSK from a Node ticket)', async () => {
    const n = await nodeServer({});
    let session: Uint8Array | undefined;
    const got1 = n.next();
    const d1 = await dial(n.port, {});
    try {
      await d1.pump.handshake();
      const s1 = await got1;
      await d1.pump.readExactly(2);
      checkAgainstNode(d1.lines, n.linesOf(s1), 'client');
      // Read to Node's close_notify: its tickets come before it.
      s1.end();
      expect((await d1.pump.readToEnd()).stop).toBe('ZERO_RETURN');
      session = d1.conn.getSession();
      expect(session).toBeDefined();
    } finally {
      d1.dispose();
    }
    const got2 = n.next();
    const d2 = await dial(n.port, {}, session);
    try {
      await d2.pump.handshake();
      expect(d2.conn.sessionReused).toBe(true);
      const s2 = await got2;
      expect(s2.isSessionReused()).toBe(true);
      await d2.pump.readExactly(2);
      checkShape(d2.lines, HASH_LEN[d2.conn.cipher!]);
      checkAgainstNode(d2.lines, n.linesOf(s2), 'client');
      s2.destroy();
    } finally {
      d2.dispose();
    }
  });
});

describe("Node tls.connect -> our server: lines equal Node client's", () => {
  for (const suite of SUITES) {
    it(suite, async () => {
      const l = await listen({ suites: [suite] });
      const n = nodeClient(l.port, { ciphers: suite });
      try {
        const a = await l.accept();
        await a.pump.handshake();
        await n.secure;
        expect(a.conn.cipher).toBe(suite);
        checkShape(a.lines(), HASH_LEN[suite]);
        checkAgainstNode(a.lines(), n.lines, 'server');
      } finally {
        n.sock.destroy();
        l.dispose();
      }
    });
  }

  it('HelloRetryRequest (we take only P-384, Node guesses X25519)', async () => {
    const l = await listen({ groups: ['secp384r1'] });
    const n = nodeClient(l.port, { ecdhCurve: 'X25519:P-384' });
    try {
      const a = await l.accept();
      await a.pump.handshake();
      await n.secure;
      expect(a.conn.hrrSeen).toBe(true);
      checkShape(a.lines(), HASH_LEN[a.conn.cipher!]);
      checkAgainstNode(a.lines(), n.lines, 'server');
    } finally {
      n.sock.destroy();
      l.dispose();
    }
  });

  it('resumed session (Node offers our ticket)', async () => {
    const l = await listen({ ticketKey: new Uint8Array(32).fill(9) });
    try {
      const n1 = nodeClient(l.port, {});
      const session = new Promise<Buffer>((r) => n1.sock.once('session', r));
      const a = await l.accept();
      await a.pump.handshake();
      await n1.secure;
      checkAgainstNode(a.lines(), n1.lines, 'server');
      // Tickets go out with our next flight; Node reads them with data.
      await a.pump.writeAll(new Uint8Array([7]));
      const sess = await session;
      n1.sock.destroy();
      const n2 = nodeClient(l.port, { session: sess });
      try {
        const b = await l.accept();
        await b.pump.handshake();
        await n2.secure;
        expect(b.conn.sessionReused).toBe(true);
        expect(n2.sock.isSessionReused()).toBe(true);
        checkShape(b.lines(), HASH_LEN[b.conn.cipher!]);
        checkAgainstNode(b.lines(), n2.lines, 'server');
      } finally {
        n2.sock.destroy();
      }
    } finally {
      l.dispose();
    }
  });
});

describe('in memory', () => {
  /** The engine's queue, read directly (the test reaches the private C
   * handle: TS drains only when a callback is set). */
  const queued = (conn: Connection): number => {
    const w = wasm();
    const out = w.alloc(56);
    try {
      return w.exports.wt_x_tls_keylog_next((conn as unknown as { c: number }).c, out, out + 48);
    } finally {
      w.free(out);
    }
  };

  it('both ends log the same secrets (ChaCha20 too), queue empty after', () => {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const) {
      const cl: string[] = [],
        sl: string[] = [];
      const p = makePair(certs.server.ed25519, { suites: [suite], keylog: (l) => cl.push(l) }, { keylog: (l) => sl.push(l) });
      try {
        handshake(p.c, p.s);
        checkShape(cl, HASH_LEN[suite]);
        expect(sorted(cl)).toEqual(sorted(sl));
        expect(labels(cl)).toEqual(nodeOrder.client);
        expect(labels(sl)).toEqual(nodeOrder.server);
        expect(queued(p.c)).toBe(0);
        expect(queued(p.s)).toBe(0);
      } finally {
        p.dispose();
      }
    }
  });

  it('no callback: the engine records nothing', () => {
    const p = makePair(certs.server.ed25519);
    try {
      handshake(p.c, p.s);
      expect(p.c.isInitFinished && p.s.isInitFinished).toBe(true);
      expect(queued(p.c)).toBe(0);
      expect(queued(p.s)).toBe(0);
    } finally {
      p.dispose();
    }
  });

  it('a callback that throws breaks nothing', () => {
    let calls = 0;
    const boom = () => {
      calls++;
      throw new Error('logger failed');
    };
    const p = makePair(certs.server.ed25519, { keylog: boom }, { keylog: boom });
    try {
      handshake(p.c, p.s);
      expect(calls).toBe(10);
      const up = pattern(5000, 3);
      expect(p.c.write(up)).toBe(up.length);
      expect(equalBytes(deliver(p.c, p.s), up)).toBe(true);
      expect(p.s.error).toBeUndefined();
      expect(p.c.error).toBeUndefined();
    } finally {
      p.dispose();
    }
  });

  it('setKeylog refuses a non-function', () => {
    expect(() => new TLSContext({ keylog: 'x' as unknown as () => void })).toThrow(TypeError);
  });
});
