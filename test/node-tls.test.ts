/**
 * wasmtls/node: TLSSocket as Node's tls.TLSSocket, against real peers on
 * 127.0.0.1. undici and http(s).request run over it against a Node https
 * origin; its properties are compared with Node's own tls.connect to the
 * same server (the independent oracle), as are its verification errors;
 * close_notify, EOF without close_notify, Node's default roots, a wasmtls
 * transport, the server role, and the built dist/node.js loading the wasm
 * by itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import { connect as netConnect, createServer as netServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as undici from 'undici';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { connect, TLSSocket, type ConnectOptions } from '../ts/api/node.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
let pki: Pki;
let origin: https.Server;
let port: number;
let secureConns = 0;
const BIG = randomBytes(1 << 20);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
// Node's default TLS 1.3 suite order, so both clients offer the same list
// and the server's pick is comparable.
const NODE_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
}

beforeAll(async () => {
  pki = makePki();
  origin = https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, ALPNProtocols: ['http/1.1'] }, (req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BIG.length, 'x-sha256': sha(BIG) });
      res.end(BIG);
      return;
    }
    if (req.url === '/echo-hash') {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (c: Buffer) => {
        h.update(c);
        n += c.length;
      });
      req.on('end', () => res.end(JSON.stringify({ n, sha: h.digest('hex') })));
      return;
    }
    res.end('hello');
  });
  origin.on('secureConnection', () => secureConns++);
  port = await listen(origin);
}, 60_000);

afterAll(async () => {
  origin?.closeAllConnections();
  await new Promise((r) => origin?.close(r));
  pki?.dispose();
});

const opts = (o: Partial<ConnectOptions> = {}): ConnectOptions => ({
  host: '127.0.0.1',
  port,
  servername: 'localhost',
  ca: pki.caPem,
  ...o,
});

function secure(s: TLSSocket): Promise<TLSSocket> {
  return new Promise((res, rej) => {
    s.once('secureConnect', () => res(s));
    s.once('error', rej);
  });
}

async function body(r: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Node's own client to the same server: the oracle. */
function nodeClient(o: nodeTls.ConnectionOptions): Promise<nodeTls.TLSSocket> {
  return new Promise((res, rej) => {
    const s = nodeTls.connect(o, () => res(s));
    s.once('error', rej);
  });
}

function errorOf(s: nodeTls.TLSSocket | TLSSocket): Promise<Error & { code?: string }> {
  return new Promise((res, rej) => {
    s.once('error', res);
    s.once('secureConnect', () => rej(new Error('connected')));
  });
}

describe('wasmtls/node under undici and http', () => {
  it('undici Agent: 1 MiB bodies on keep-alive sockets, then a 2 MiB POST; as many connections as with Node TLS', async () => {
    let made = 0;
    const mine: TLSSocket[] = [];
    const ours = new undici.Agent({
      connect: (o, cb) => {
        made++;
        const s = connect({
          host: o.hostname,
          port: Number(o.port),
          servername: o.servername ?? undefined,
          ca: pki.caPem,
          ALPNProtocols: ['http/1.1'],
        });
        mine.push(s);
        s.once('secureConnect', () => cb(null, s));
        s.once('error', (e) => cb(e, null));
      },
    });
    const native = new undici.Agent({ connect: { ca: pki.caPem } });
    const up = randomBytes(2 << 20);
    const session = async (dispatcher: undici.Agent) => {
      const before = secureConns;
      for (let i = 0; i < 3; i++) {
        const r = await undici.request(`https://localhost:${port}/big`, { dispatcher });
        expect(r.statusCode).toBe(200);
        expect(r.headers['content-length']).toBe(String(BIG.length));
        expect(r.headers['x-sha256']).toBe(sha(BIG));
        expect(sha(Buffer.from(await r.body.arrayBuffer()))).toBe(sha(BIG));
      }
      const p = await undici.request(`https://localhost:${port}/echo-hash`, { dispatcher, method: 'POST', body: up });
      expect(p.statusCode).toBe(200);
      expect(await p.body.json()).toEqual({ n: up.length, sha: sha(up) });
      return secureConns - before;
    };
    try {
      const nodeConns = await session(native);
      const ourConns = await session(ours);
      // undici's pool opens a second connection while the first one has not
      // reported 'drain' yet; whatever it does with Node's TLS it does with
      // ours, and four requests share fewer connections (keep-alive).
      expect(ourConns).toBe(nodeConns);
      expect(made).toBe(ourConns);
      expect(made).toBeLessThan(4);
      expect(mine.every((s) => s.alpnProtocol === 'http/1.1' && s.authorized)).toBe(true);
    } finally {
      // destroy, not close: close() waits for a body a failed check left unread.
      await Promise.all([ours.destroy(), native.destroy()]);
    }
  });

  it('http.request and https.request with createConnection', async () => {
    for (const mod of [http, https] as const) {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = (mod.request as typeof http.request)(
          {
            host: 'localhost',
            port,
            path: '/big',
            createConnection: () => connect(opts()) as unknown as Socket,
          },
          resolve,
        );
        req.on('error', reject);
        req.end();
      });
      expect(res.statusCode).toBe(200);
      expect(sha(await body(res))).toBe(sha(BIG));
    }
  });
});

describe('TLSSocket against Node tls.connect as the oracle', () => {
  it('protocol, cipher, ALPN, authorization, certificate fields and key exchange match', async () => {
    const ours = await secure(connect(opts({ ALPNProtocols: ['http/1.1'], ciphersuites: NODE_SUITES })));
    const theirs = await nodeClient({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ALPNProtocols: ['http/1.1'] });
    try {
      expect(ours.getProtocol()).toBe(theirs.getProtocol());
      expect(ours.getCipher()).toEqual(theirs.getCipher());
      expect(ours.alpnProtocol).toBe(theirs.alpnProtocol);
      expect(ours.authorized).toBe(true);
      expect(ours.authorized).toBe(theirs.authorized);
      expect(ours.authorizationError).toBe(theirs.authorizationError);
      expect(ours.encrypted).toBe(theirs.encrypted);
      expect(ours.servername).toBe((theirs as unknown as { servername: unknown }).servername);
      expect(ours.isSessionReused()).toBe(false);
      expect(ours.getEphemeralKeyInfo()).toEqual(theirs.getEphemeralKeyInfo());
      expect(ours.remoteAddress).toBe(theirs.remoteAddress);
      expect(ours.remotePort).toBe(theirs.remotePort);
      expect(ours.localAddress).toBe('127.0.0.1');
      const a = ours.getPeerCertificate(true) as nodeTls.DetailedPeerCertificate;
      const b = theirs.getPeerCertificate(true);
      for (const k of [
        'subject',
        'issuer',
        'subjectaltname',
        'fingerprint',
        'fingerprint256',
        'fingerprint512',
        'serialNumber',
        'valid_from',
        'valid_to',
        'ca',
        'pubkeyPin',
      ] as const) {
        if (k === 'pubkeyPin' && !(k in b)) continue;
        expect({ [k]: a[k as keyof typeof a] }).toEqual({ [k]: b[k as keyof typeof b] });
      }
      expect(Buffer.compare(a.raw, b.raw)).toBe(0);
      expect(a.issuerCertificate.subject).toEqual(b.issuerCertificate.subject);
      expect(a.issuerCertificate.fingerprint256).toBe(b.issuerCertificate.fingerprint256);
      // A self-signed root points to itself, in both.
      expect(a.issuerCertificate.issuerCertificate).toBe(a.issuerCertificate);
      const shallow = ours.getPeerCertificate() as nodeTls.PeerCertificate;
      expect(shallow.subject).toEqual(theirs.getPeerCertificate().subject);
      expect('issuerCertificate' in shallow).toBe(false);
      expect(ours.getPeerX509Certificate()?.subject).toBe(theirs.getPeerX509Certificate()?.subject);
    } finally {
      ours.destroy();
      theirs.destroy();
    }
  });

  it("'session' gives a Buffer; connecting with it resumes (isSessionReused)", async () => {
    const first = connect(opts());
    const session = new Promise<Buffer>((r) => first.once('session', r));
    await secure(first);
    const s = await session;
    expect(Buffer.isBuffer(s)).toBe(true);
    expect(first.getSession()?.equals(s)).toBe(true);
    expect(first.isSessionReused()).toBe(false);
    first.end();
    const second = await secure(connect(opts({ session: s })));
    expect(second.isSessionReused()).toBe(true);
    expect(second.authorized).toBe(true);
    expect(second.getProtocol()).toBe('TLSv1.3');
    second.destroy();
  });

  it("'keylog' gives NSS key log lines as Buffers", async () => {
    const s = connect(opts());
    const lines: Buffer[] = [];
    s.on('keylog', (l: Buffer) => lines.push(l));
    await secure(s);
    s.destroy();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.every((l) => Buffer.isBuffer(l) && l.toString().endsWith('\n'))).toBe(true);
    expect(lines.map((l) => l.toString().split(' ')[0]).sort()).toContain('CLIENT_TRAFFIC_SECRET_0');
  });
});

describe('verification', () => {
  let stranger: nodeTls.Server;
  let strangerPort: number;
  beforeAll(async () => {
    stranger = nodeTls.createServer({ cert: pki.strangerPem, key: pki.strangerKeyPem }, (s) => s.end('hi'));
    strangerPort = await listen(stranger);
  });
  afterAll(() => new Promise<void>((r) => stranger.close(() => r())));

  it('an untrusted self-signed server: the same error code as Node (rejectUnauthorized default)', async () => {
    const o = { host: '127.0.0.1', port: strangerPort, servername: 'localhost', ca: pki.caPem };
    const oracle = await errorOf(nodeTls.connect(o));
    const ours = connect(o);
    const closed = new Promise((r) => ours.once('close', r));
    const mine = await errorOf(ours);
    expect(oracle.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(mine.code).toBe(oracle.code);
    expect(mine.message).toMatch(/self.signed/);
    expect(ours.authorized).toBe(false);
    expect(ours.authorizationError).toBe(oracle.code);
    await closed;
  });

  it('rejectUnauthorized: false connects, authorized false with the reason, and reads', async () => {
    const o = { host: '127.0.0.1', port: strangerPort, servername: 'localhost', ca: pki.caPem, rejectUnauthorized: false };
    const theirs = await nodeClient(o);
    const ours = await secure(connect(o));
    expect(ours.authorized).toBe(false);
    expect(theirs.authorized).toBe(false);
    expect(ours.authorizationError).toBe(theirs.authorizationError);
    expect(ours.getPeerCertificate().fingerprint256).toBe(theirs.getPeerCertificate().fingerprint256);
    const got: Buffer[] = [];
    ours.on('data', (c: Buffer) => got.push(c));
    await once(ours, 'end');
    expect(Buffer.concat(got).toString()).toBe('hi');
    theirs.destroy();
  });

  it('a name the certificate does not hold: ERR_TLS_CERT_ALTNAME_INVALID as Node', async () => {
    const o = { host: '127.0.0.1', port, servername: 'other.test', ca: pki.caPem };
    const oracle = await errorOf(nodeTls.connect(o));
    const mine = await errorOf(connect(o));
    expect(oracle.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(mine.code).toBe(oracle.code);
    expect(mine.message).toBe(oracle.message);
  });

  it('checkServerIdentity runs like Node and its Error refuses the connection', async () => {
    const seen: [string, string][] = [];
    const o = opts({
      checkServerIdentity: (host, cert) => {
        seen.push([host, String(cert.subject.CN)]);
        return Object.assign(new Error('pinned elsewhere'), { code: 'ERR_PINNED' });
      },
    });
    const e = await errorOf(connect(o));
    expect(seen).toEqual([['localhost', 'localhost']]);
    expect(e.code).toBe('ERR_PINNED');
  });

  it("without `ca` Node's root store is used: the test CA is unknown", async () => {
    const o = { host: '127.0.0.1', port, servername: 'localhost' };
    const oracle = await errorOf(nodeTls.connect(o));
    const mine = await errorOf(connect(o));
    // The server sends leaf + root: both name the self-signed root met in
    // the chain (an accept-anything default would have connected).
    expect(oracle.code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    expect(mine.code).toBe(oracle.code);
  });
});

describe('the end of a connection', () => {
  it('write backpressure: callbacks stop while the peer does not read, all arrives once it does', async () => {
    let peer!: nodeTls.TLSSocket;
    const got = createHash('sha256');
    let gotN = 0;
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem });
    const ready = new Promise<void>((r) => {
      server.once('secureConnection', (s: nodeTls.TLSSocket) => {
        peer = s;
        s.pause();
        r();
      });
    });
    const p = await listen(server);
    try {
      const ours = await secure(connect(opts({ port: p })));
      await ready;
      const all = randomBytes(32 << 20);
      let acked = 0;
      for (let i = 0; i < 32; i++)
        ours.write(all.subarray(i << 20, (i + 1) << 20), () => {
          acked += 1 << 20;
        });
      await new Promise((r) => setTimeout(r, 500));
      const stuck = acked;
      await new Promise((r) => setTimeout(r, 200));
      // Kernel buffers take a few MiB; the rest waits in the Duplex.
      expect(acked).toBe(stuck);
      expect(acked).toBeLessThan(24 << 20);
      peer.on('data', (c: Buffer) => {
        got.update(c);
        gotN += c.length;
      });
      const done = new Promise((r) => peer.on('end', r));
      peer.resume();
      ours.end();
      await done;
      expect(acked).toBe(32 << 20);
      expect(gotN).toBe(all.length);
      expect(got.digest('hex')).toBe(sha(all));
    } finally {
      peer?.destroy();
      server.close();
    }
  });

  it("end(): the Node server sees 'end', answers (half-close), ours reads it and closes", async () => {
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, allowHalfOpen: true }, (s) => {
      const got: Buffer[] = [];
      s.on('data', (c: Buffer) => got.push(c));
      s.on('end', () => s.end(`got ${Buffer.concat(got).toString()}`));
    });
    const p = await listen(server);
    try {
      const ours = connect(opts({ port: p }));
      ours.end('question');
      const got: Buffer[] = [];
      ours.on('data', (c: Buffer) => got.push(c));
      await once(ours, 'end');
      expect(Buffer.concat(got).toString()).toBe('got question');
      await once(ours, 'close');
      expect(ours.destroyed).toBe(true);
    } finally {
      server.close();
    }
  });

  it('EOF without close_notify: all data, then end (no error), as Node', async () => {
    const data = randomBytes(300_000);
    const ctx = nodeTls.createSecureContext({ cert: pki.serverChainPem, key: pki.serverKeyPem });
    const server = netServer((raw) => {
      const t = new nodeTls.TLSSocket(raw, { isServer: true, secureContext: ctx });
      t.on('error', () => {});
      // The TCP connection drops once the data is out: a FIN, no alert.
      t.on('secure', () => t.write(data, () => setTimeout(() => raw.destroy(), 50)));
    });
    const p = await listen(server);
    try {
      const check = async (s: nodeTls.TLSSocket | TLSSocket) => {
        const got: Buffer[] = [];
        let err: unknown;
        s.on('data', (c: Buffer) => got.push(c));
        s.on('error', (e) => {
          err = e;
        });
        await once(s, 'close');
        return { err, sha: sha(Buffer.concat(got)) };
      };
      const o = opts({ port: p });
      const [theirs, ours] = await Promise.all([check(nodeTls.connect(o as nodeTls.ConnectionOptions)), check(connect(o))]);
      expect(theirs).toEqual({ err: undefined, sha: sha(data) });
      expect(ours).toEqual({ err: undefined, sha: sha(data) });
    } finally {
      server.close();
    }
  });

  it('destroy() closes the TCP connection', async () => {
    let serverClosed!: Promise<unknown>;
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (s) => {
      s.on('error', () => {});
      serverClosed = once(s, 'close');
    });
    const p = await listen(server);
    try {
      const ours = await secure(connect(opts({ port: p })));
      ours.destroy();
      await once(ours, 'close');
      await serverClosed;
    } finally {
      server.close();
    }
  });
});

describe('other ways in', () => {
  it('over a wasmtls transport (fromNodeSocket): an HTTP exchange', async () => {
    const transport = fromNodeSocket(netConnect({ host: '127.0.0.1', port, allowHalfOpen: true }));
    const s = connect({ transport, servername: 'localhost', ca: pki.caPem, ALPNProtocols: ['http/1.1'] });
    await secure(s);
    expect(s.remoteAddress).toBeUndefined();
    s.write('GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => got.push(c));
    await once(s, 'end');
    const text = Buffer.concat(got).toString();
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text.endsWith('hello')).toBe(true);
  });

  it('over an existing net.Socket (`socket` option), with a timeout', async () => {
    const raw = netConnect({ host: '127.0.0.1', port });
    const s = connect({ socket: raw, servername: 'localhost', ca: pki.caPem });
    await secure(s);
    expect(s.remotePort).toBe(port);
    s.setTimeout(100);
    await once(s, 'timeout');
    s.destroy();
    await once(raw, 'close');
  });

  it('server role: new TLSSocket(raw, { isServer }) serves Node tls.connect', async () => {
    const server = netServer((raw) => {
      const t = new TLSSocket(raw, { isServer: true, cert: pki.serverChainPem, key: pki.serverKeyPem, ALPNProtocols: ['h2', 'x'] });
      t.on('secure', () => t.end(`hello ${String(t.servername)} ${String(t.alpnProtocol)}`));
      t.on('error', () => {});
    });
    const p = await listen(server);
    try {
      const c = await nodeClient({ host: '127.0.0.1', port: p, servername: 'localhost', ca: pki.caPem, ALPNProtocols: ['x'] });
      expect(c.authorized).toBe(true);
      expect(c.getProtocol()).toBe('TLSv1.3');
      const got: Buffer[] = [];
      c.on('data', (x: Buffer) => got.push(x));
      await once(c, 'end');
      expect(Buffer.concat(got).toString()).toBe('hello localhost x');
      c.destroy();
    } finally {
      server.close();
    }
  });

  it('the built dist/node.js loads the wasm itself (connect before any init)', async () => {
    // The bundle's own types are dist/types/api/node.d.ts (package.json's
    // exports); the module is imported by URL so tsc does not look beside it.
    const mod = (await import(/* @vite-ignore */ new URL('../dist/node.js', import.meta.url).href)) as typeof import('../ts/api/node.js');
    const s = mod.connect(opts());
    const ok = await new Promise<boolean>((res, rej) => {
      s.once('secureConnect', () => res(s.authorized));
      s.once('error', rej);
    });
    expect(ok).toBe(true);
    s.destroy();
  });
});

describe("the rest of net.Socket's members (what makes the socket a net.Socket to undici's types)", () => {
  // What the server saw of a client that called `act` once secure; Node's own
  // tls.connect is the oracle for ours.
  async function serverView(client: (o: ConnectOptions) => nodeTls.TLSSocket | TLSSocket, act: (s: nodeTls.TLSSocket | TLSSocket) => void) {
    let seen!: (v: { ended: boolean; error: string | undefined }) => void;
    const result = new Promise<{ ended: boolean; error: string | undefined }>((r) => {
      seen = r;
    });
    let serverSecure!: () => void;
    const secureThere = new Promise<void>((r) => {
      serverSecure = r;
    });
    const server = nodeTls.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, (t) => {
      serverSecure();
      t.write('hello');
      let ended = false;
      let error: string | undefined;
      t.on('end', () => {
        ended = true;
        t.end();
      });
      t.on('error', (e: NodeJS.ErrnoException) => {
        error = e.code;
      });
      t.on('close', () => seen({ ended, error }));
    });
    const p = await listen(server);
    try {
      const s = client(opts({ port: p }));
      s.on('error', () => {});
      // An established connection: both handshakes done and the server's
      // first bytes (after its session tickets) read.
      await Promise.all([once(s, 'data'), secureThere]);
      act(s);
      const view = await result;
      if (!s.destroyed) await once(s, 'close');
      return { ...view, destroyed: s.destroyed };
    } finally {
      server.close();
    }
  }
  const theirs = (o: ConnectOptions) => nodeTls.connect(o as nodeTls.ConnectionOptions);

  // Node's docs: "Close the TCP connection by sending an RST packet and
  // destroy the stream"; the peer reads ECONNRESET. (Node 20's own
  // tls.TLSSocket throws "This handle type cannot be sent" here, its handle
  // being the TLS wrap, so the Node server's view is the oracle.)
  it('resetAndDestroy(): the server sees ECONNRESET and no end', async () => {
    expect(await serverView(connect, (s) => void s.resetAndDestroy())).toEqual({ ended: false, error: 'ECONNRESET', destroyed: true });
  });

  it('destroySoon(): close_notify (the server reads its end), then destroyed, as with Node', async () => {
    const act = (s: nodeTls.TLSSocket | TLSSocket) => s.destroySoon();
    const want = await serverView(theirs, act);
    expect(want).toEqual({ ended: true, error: undefined, destroyed: true });
    expect(await serverView(connect, act)).toEqual(want);
  });

  // Node leaves autoSelectFamilyAttemptedAddresses undefined when no family
  // autoselection happened (an IP address was given), though its type says
  // string[]; ours is [] then.
  it('address(), bufferSize, autoSelectFamilyAttemptedAddresses as Node reports them; connect() on a made socket throws', async () => {
    const [a, b] = [theirs(opts()), connect(opts())];
    try {
      await Promise.all([once(a, 'secureConnect'), once(b, 'secureConnect')]);
      const shape = (s: nodeTls.TLSSocket | TLSSocket) => {
        const ad = s.address() as AddressInfo;
        return {
          address: ad.address,
          family: ad.family,
          port: typeof ad.port,
          bufferSize: s.bufferSize,
          tried: s.autoSelectFamilyAttemptedAddresses ?? [],
        };
      };
      expect(shape(b)).toEqual(shape(a));
      expect(() => b.connect()).toThrow(expect.objectContaining({ code: 'ERR_METHOD_NOT_IMPLEMENTED' }));
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});
