/**
 * `wasmtls/relay` (ts/relay/relay.ts) and `wasmtls relay` refuse what a
 * relay safe to deploy must refuse, each refusal pinned by its close code
 * or HTTP status and its reason, and checked at the target: a TCP server
 * that counts its connections (0 when refused). The relays here use the
 * library's defaults except for what each test names; the tests' helper
 * relay (test/helpers/relay.ts) opens loopback on purpose and is not used.
 *
 * Oracles: the npm `ws` client (close codes, reasons, the HTTP status of a
 * refused upgrade), Node's tls server (the allowed path end to end), the
 * TCP servers' own accept counts, the WHATWG URL parser (IPv6 text forms)
 * and node:net's isIP.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromWebSocket, type WebSocketLike } from '../ts/adapters/websocket.js';
import { connect } from '../ts/api/tls.js';
import { createRelay, startRelay, type RunningRelay, type StartRelayOptions } from '../ts/relay/relay.js';
import { formatIp, parseAllowEntry, parseIp, parseOrigin, specialRange } from '../ts/relay/policy.js';
import { root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { echoServer, type TcpServer } from './helpers/tcp.js';

const CLI = `${root}dist/cli.js`;

/** How a tunnel attempt ended: opened (and then closed with code/reason),
 * or refused at the upgrade with an HTTP status. */
interface Outcome {
  opened: boolean;
  status?: number;
  body?: string;
  code?: number;
  reason?: string;
}

type Attempt = Outcome & {
  ws: WebSocket;
  /** Bytes received so far (counted from the open on). */
  echoed: number;
  /** Resolves with the count once `n` bytes have come back, or at the close. */
  until(n: number): Promise<number>;
};

/** Open a WebSocket, send `send` once open, count what comes back, and
 * resolve at the close (or the refused upgrade), or at the open with
 * `keepOpen`. */
function attempt(url: string, opts: { origin?: string; send?: Buffer; keepOpen?: boolean } = {}): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin: opts.origin, perMessageDeflate: false });
    const waiters: (() => void)[] = [];
    const wake = () => {
      for (const f of waiters.splice(0)) f();
    };
    const out: Attempt = {
      opened: false,
      echoed: 0,
      ws,
      until: (n) =>
        new Promise((res) => {
          const check = () => (out.echoed >= n || ws.readyState === ws.CLOSED ? res(out.echoed) : waiters.push(check));
          check();
        }),
    };
    ws.on('unexpected-response', (_req, res) => {
      out.status = res.statusCode;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        out.body = body;
        ws.terminate();
        resolve(out);
      });
    });
    ws.on('error', () => {}); // the outcome says what happened
    ws.on('open', () => {
      out.opened = true;
      if (opts.send) ws.send(opts.send);
      if (opts.keepOpen) resolve(out);
    });
    ws.on('message', (d: Buffer) => {
      out.echoed += d.length;
      wake();
    });
    ws.on('close', (code, reason) => {
      out.code = code;
      out.reason = reason.toString();
      wake();
      if (out.status === undefined) resolve(out);
    });
  });
}

const closedWith = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  ws.readyState === ws.CLOSED
    ? Promise.resolve({ code: -1, reason: 'already closed' })
    : once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));

let echo: TcpServer;
const relays: RunningRelay[] = [];
const lines: string[] = [];

/** A relay with the defaults but `o`, logging into `lines`. */
async function relayWith(o: Omit<StartRelayOptions, 'host' | 'port'>): Promise<RunningRelay> {
  const r = await startRelay({ host: '127.0.0.1', port: 0, log: (l) => lines.push(l), ...o });
  relays.push(r);
  return r;
}

beforeAll(async () => {
  echo = await echoServer();
});
afterAll(async () => {
  for (const r of relays) await r.close();
  await echo?.close();
});

describe('starting', () => {
  it('createRelay refuses to make an open proxy by accident, and bad entries with the reason', () => {
    expect(() => createRelay({})).toThrow(/refusing to start an open proxy: give `allow`/);
    expect(() => createRelay({ allow: [] })).toThrow(TypeError);
    expect(() => createRelay({ allow: ['example.com:0'] })).toThrow(/bad port '0'/);
    expect(() => createRelay({ allow: ['10.0.0.0/33'] })).toThrow(/bad prefix length/);
    expect(() => createRelay({ allow: ['*.com'] })).toThrow(/bad entry/);
    expect(() => createRelay({ allow: ['x.test'], origins: ['https://a.test/path'] })).toThrow(/not an origin/);
    expect(() => createRelay({ allow: ['x.test'], maxConnectionsPerClient: 0 })).toThrow(RangeError);
    expect(() => createRelay({ target: { host: '127.0.0.1', port: 1 }, open: true })).toThrow(/excludes/);
  });

  it.skipIf(!existsSync(CLI))(
    '`wasmtls relay` without -allow, -target or -open exits 1 with a usage error; -open warns loudly',
    async () => {
      const none = spawnSync(process.execPath, [CLI, 'relay', '-listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30_000 });
      expect(none.status).toBe(1);
      expect(none.stdout).not.toMatch(/^RELAY/m);
      expect(none.stderr).toMatch(/^wasmtls relay: refusing to start an open proxy: give -allow/m);
      expect(none.stderr).toContain('usage: wasmtls relay -listen');
      const badEntry = spawnSync(process.execPath, [CLI, 'relay', '-listen', '127.0.0.1:0', '-allow', 'example.com:99999'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(badEntry.status).toBe(1);
      expect(badEntry.stderr).toMatch(/bad port '99999' in 'example\.com:99999'/);

      const open = new Peer(process.execPath, [CLI, 'relay', '-listen', '127.0.0.1:0', '-open']);
      try {
        await open.waitFor('\n', 15_000);
        expect(open.stdout.toString()).toMatch(/^RELAY ws:\/\/127\.0\.0\.1:\d+\/<host>:<port>$/m);
        await open.waitFor('origins:', 15_000, 'stderr');
        expect(open.stderr).toContain('WARNING: wasmtls relay -open: this relay forwards to ANY public host');
        // Still no loopback: -open is not -allow-private.
        const url = /^RELAY (ws:\/\/127\.0\.0\.1:\d+)/m.exec(open.stdout.toString())![1];
        const r = await attempt(`${url}/127.0.0.1:${echo.port}`);
        expect([r.code, r.reason]).toEqual([1008, `relay: 127.0.0.1:${echo.port}: loopback address refused`]);
      } finally {
        open.kill();
      }
    },
  );
});

describe('targets', () => {
  it('a target not in the allow-list is refused (1008) before any lookup or connection', async () => {
    const looked: string[] = [];
    const r = await relayWith({
      allow: [`127.0.0.1:${echo.port + 1}`, 'example.com:443'],
      lookup: async (h) => (looked.push(h), [{ address: '127.0.0.1' }]),
    });
    const before = echo.sockets.length;
    const byIp = await attempt(`${r.url}/127.0.0.1:${echo.port}`);
    expect([byIp.opened, byIp.code, byIp.reason]).toEqual([true, 1008, `relay: 127.0.0.1:${echo.port} is not in the allow-list`]);
    // A listed name on an unlisted port, and an unlisted name.
    const port = await attempt(`${r.url}/example.com:80`);
    expect([port.code, port.reason]).toEqual([1008, 'relay: example.com:80 is not in the allow-list']);
    const name = await attempt(`${r.url}/evil.example.net:443`);
    expect([name.code, name.reason]).toEqual([1008, 'relay: evil.example.net:443 is not in the allow-list']);
    const bad = await attempt(`${r.url}/not-a-target`);
    expect([bad.code, bad.reason]).toEqual([1008, 'relay: the path must be /<host>:<port>']);
    expect(looked).toEqual([]);
    expect(echo.sockets.length).toBe(before);
    expect(lines).toContainEqual(expect.stringMatching(/^#\d+ 127\.0\.0\.1 refused: evil\.example\.net:443 is not in the allow-list$/));
  });

  it('loopback, private, link-local, unique-local and unspecified addresses are refused, IPv4 and IPv6, even with `*` allowed', async () => {
    const r = await relayWith({ allow: ['*'] });
    const before = echo.sockets.length;
    const cases: [string, string][] = [
      [`127.0.0.1:${echo.port}`, 'loopback'],
      [`127.1.2.3:${echo.port}`, 'loopback'],
      [`[::1]:${echo.port}`, 'loopback'],
      [`[::ffff:127.0.0.1]:${echo.port}`, 'loopback'],
      [`[::ffff:7f00:1]:${echo.port}`, 'loopback'],
      ['0.0.0.0:80', 'unspecified ("this network")'],
      ['[::]:80', 'unspecified'],
      ['10.1.2.3:80', 'private (RFC 1918)'],
      ['172.16.0.1:80', 'private (RFC 1918)'],
      ['192.168.1.1:80', 'private (RFC 1918)'],
      ['[::ffff:192.168.1.1]:80', 'private (RFC 1918)'],
      ['100.64.0.1:80', 'shared CGNAT space (RFC 6598)'],
      ['169.254.169.254:80', 'link-local'],
      ['[fe80::1]:80', 'link-local'],
      ['[fd12:3456::1]:80', 'unique-local'],
      ['[64:ff9b::a00:1]:80', 'NAT64'],
      ['224.0.0.1:80', 'multicast'],
      ['255.255.255.255:80', 'reserved (and broadcast)'],
    ];
    for (const [t, label] of cases) {
      const o = await attempt(`${r.url}/${t}`);
      expect([t, o.code, o.reason]).toEqual([t, 1008, `relay: ${t}: ${label} address refused`]);
    }
    expect(echo.sockets.length).toBe(before);
  });

  it('a name that resolves to loopback (localhost) is refused; allowPrivate or an IP entry naming it lets it through', async () => {
    const before = echo.sockets.length;
    const strict = await relayWith({ allow: [`localhost:${echo.port}`] });
    const o = await attempt(`${strict.url}/localhost:${echo.port}`);
    expect(o.code).toBe(1008);
    expect(o.reason).toMatch(new RegExp(`^relay: localhost:${echo.port} resolves to (127\\.0\\.0\\.1|::1): loopback address refused$`));
    expect(echo.sockets.length).toBe(before);

    // allowPrivate: the same name now reaches the echo server (127.0.0.1;
    // a ::1 answered first is tried and refused by the kernel, then the next).
    const lax = await relayWith({ allow: [`localhost:${echo.port}`], allowPrivate: true });
    const ok = await attempt(`${lax.url}/localhost:${echo.port}`, { send: Buffer.from('ping'), keepOpen: true });
    expect(ok.opened).toBe(true);
    expect(await ok.until(4)).toBe(4);
    ok.ws.close();
    // An allow-list entry naming the address itself: 127.0.0.1 (any port).
    const named = await relayWith({ allow: ['127.0.0.1'] });
    const ok2 = await attempt(`${named.url}/127.0.0.1:${echo.port}`, { send: Buffer.from('pong!'), keepOpen: true });
    expect(await ok2.until(5)).toBe(5);
    ok2.ws.close();
    // ...but 0.0.0.0/0 names every address, not loopback in particular.
    const wide = await relayWith({ allow: ['0.0.0.0/0', '::/0'] });
    const no = await attempt(`${wide.url}/127.0.0.1:${echo.port}`);
    expect([no.code, no.reason]).toEqual([1008, `relay: 127.0.0.1:${echo.port}: loopback address refused`]);
  });

  it('connects to the address it checked: one lookup, never the name again (no DNS rebinding between check and connect)', async () => {
    // A resolver that answers 127.0.0.1 once, then an address that would
    // be refused. Connecting by name (a second lookup) would also fail: the
    // name exists only in this stub.
    let calls = 0;
    const r = await relayWith({
      allow: [`rebind.test:${echo.port}`, `127.0.0.1:${echo.port}`],
      lookup: async () => [{ address: ++calls === 1 ? '127.0.0.1' : '10.9.9.9' }],
    });
    const ok = await attempt(`${r.url}/rebind.test:${echo.port}`, { send: Buffer.from('abc'), keepOpen: true });
    expect(await ok.until(3)).toBe(3);
    ok.ws.close();
    expect(calls).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`-> rebind\\.test:${echo.port} \\(127\\.0\\.0\\.1\\)$`)));
    // A name resolving to several addresses: the refused one is skipped.
    const mixed = await relayWith({
      allow: [`multi.test:${echo.port}`, `127.0.0.1:${echo.port}`],
      lookup: async () => [{ address: '10.0.0.7' }, { address: '127.0.0.1' }],
    });
    const ok3 = await attempt(`${mixed.url}/multi.test:${echo.port}`, { send: Buffer.from('xy'), keepOpen: true });
    expect(await ok3.until(2)).toBe(2);
    ok3.ws.close();
  });
});

describe('browsers', () => {
  it('an Origin not in the list gets HTTP 403 at the upgrade; listed origins and clients without Origin pass', async () => {
    const r = await relayWith({ allow: [`127.0.0.1:${echo.port}`], origins: ['https://app.example.com', 'https://*.corp.example'] });
    const target = `${r.url}/127.0.0.1:${echo.port}`;
    const before = echo.sockets.length;
    const evil = await attempt(target, { origin: 'https://evil.example' });
    expect([evil.opened, evil.status, evil.body]).toEqual([false, 403, 'relay: Origin https://evil.example is not allowed\n']);
    const sub = await attempt(target, { origin: 'https://corp.example' });
    expect(sub.status).toBe(403);
    const nul = await attempt(target, { origin: 'null' });
    expect(nul.status).toBe(403);
    expect(echo.sockets.length).toBe(before);
    expect(lines).toContainEqual(expect.stringMatching(/refused: Origin "https:\/\/evil\.example" is not allowed \(403\)$/));

    for (const origin of ['https://app.example.com', 'https://a.b.corp.example', undefined]) {
      const ok = await attempt(target, { origin, send: Buffer.from('hi'), keepOpen: true });
      expect([origin, ok.opened]).toEqual([origin, true]);
      expect(await ok.until(2)).toBe(2);
      ok.ws.close();
    }
    // Default: no origin list, so every browser page is refused.
    const dflt = await relayWith({ allow: [`127.0.0.1:${echo.port}`] });
    expect((await attempt(`${dflt.url}/127.0.0.1:${echo.port}`, { origin: 'http://localhost:5173' })).status).toBe(403);
  });
});

describe('limits', () => {
  it('per client: the tunnel beyond maxConnectionsPerClient closes with 1013; a closed one frees its slot', async () => {
    const r = await relayWith({ allow: [`127.0.0.1:${echo.port}`], maxConnectionsPerClient: 2 });
    const target = `${r.url}/127.0.0.1:${echo.port}`;
    const a = await attempt(target, { send: Buffer.from('a'), keepOpen: true });
    const b = await attempt(target, { send: Buffer.from('b'), keepOpen: true });
    expect(await a.until(1)).toBe(1);
    expect(await b.until(1)).toBe(1);
    const c = await attempt(target);
    expect([c.opened, c.code, c.reason]).toEqual([true, 1013, 'relay: too many connections from 127.0.0.1 (2)']);
    expect(lines).toContainEqual(expect.stringMatching(/refused: too many connections from 127\.0\.0\.1 \(2\)$/));
    a.ws.close();
    await closedWith(a.ws);
    // The slot is released when the client's socket closes.
    for (let i = 0; i < 100 && r.active > 1; i++) await new Promise((res) => setTimeout(res, 20));
    const d = await attempt(target, { send: Buffer.from('d'), keepOpen: true });
    expect(await d.until(1)).toBe(1);
    b.ws.close();
    d.ws.close();
  });

  it('total: the tunnel beyond maxConnections closes with 1013', async () => {
    const r = await relayWith({ allow: [`127.0.0.1:${echo.port}`], maxConnections: 1 });
    const a = await attempt(`${r.url}/127.0.0.1:${echo.port}`, { send: Buffer.from('a'), keepOpen: true });
    expect(await a.until(1)).toBe(1);
    const b = await attempt(`${r.url}/127.0.0.1:${echo.port}`);
    expect([b.code, b.reason]).toEqual([1013, 'relay: too many connections (1)']);
    a.ws.close();
  });

  it('idle: no byte either way for idleTimeout closes the tunnel with 1001 and the target connection', async () => {
    const r = await relayWith({ allow: [`127.0.0.1:${echo.port}`], idleTimeout: 500 });
    const before = echo.sockets.length;
    // Bytes once (echoed), then silence. No timing is asserted: only that
    // the silence ends the tunnel, with the idle code.
    const t = await attempt(`${r.url}/127.0.0.1:${echo.port}`, { send: Buffer.from('once'), keepOpen: true });
    const { code, reason } = await closedWith(t.ws);
    expect([code, reason]).toEqual([1001, 'relay: idle for 0.5 s']);
    const target = echo.sockets[before];
    if (!target.closed) await once(target, 'close');
    expect(lines).toContainEqual(expect.stringMatching(/: idle for 0\.5 s, closed$/));
  });

  it('bytes: a tunnel past maxBytes closes with 1008', async () => {
    const r = await relayWith({ allow: [`127.0.0.1:${echo.port}`], maxBytes: 1000 });
    const t = await attempt(`${r.url}/127.0.0.1:${echo.port}`, { send: Buffer.alloc(600), keepOpen: true });
    // 600 up, then the echo's 600 down would make 1200: the chunk that
    // crosses the limit is not forwarded, the tunnel closes.
    const c = await closedWith(t.ws);
    expect([c.code, c.reason]).toEqual([1008, 'relay: byte limit (1000 bytes) reached']);
    expect(t.echoed).toBeLessThanOrEqual(400);
  });
});

describe('allowed traffic', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => pki?.dispose());

  it('TLS 1.3 end to end through a relay attached to an existing http.Server: connect() to Node tls, chain verified', async () => {
    useBuild('simd');
    const tlsServer = createTlsServer({ cert: pki.serverChainPem, key: pki.serverKeyPem, minVersion: 'TLSv1.3' }, (s) => {
      s.on('data', (d: Buffer) => s.write(`echo:${d.toString()}`));
      s.on('error', () => {});
    });
    await new Promise<void>((res) => tlsServer.listen(0, '127.0.0.1', res));
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    const http: Server = createHttpServer((_req, res) => res.end('app page\n'));
    await new Promise<void>((res) => http.listen(0, '127.0.0.1', res));
    const r = await relayWith({ server: http, path: '/relay/', allow: [`127.0.0.1:${tlsPort}`], origins: ['http://app.test'] });
    try {
      const httpPort = (http.address() as AddressInfo).port;
      expect(r.url).toBe(`ws://127.0.0.1:${httpPort}/relay`);
      // The server's own pages still answer; other upgrade paths get 404.
      expect(await (await fetch(`http://127.0.0.1:${httpPort}/`)).text()).toBe('app page\n');
      expect((await attempt(`ws://127.0.0.1:${httpPort}/other/127.0.0.1:${tlsPort}`)).status).toBe(404);

      const ws = new WebSocket(`${r.url}/127.0.0.1:${tlsPort}`, { origin: 'http://app.test' });
      const tls = connect({ transport: fromWebSocket(ws as unknown as WebSocketLike), servername: 'localhost', ca: pki.caPem });
      const info = await tls.opened;
      expect(info.version).toBe('TLSv1.3');
      expect(info.authorized).toBe(true);
      const w = tls.writable.getWriter();
      await w.write(new TextEncoder().encode('hello'));
      const rd = tls.readable.getReader();
      let text = '';
      while (text.length < 10) {
        const { value, done } = await rd.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toBe('echo:hello');
      rd.releaseLock();
      w.releaseLock();
      await tls.close();
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^#\\d+ 127\\.0\\.0\\.1 -> 127\\.0\\.0\\.1:${tlsPort}$`)));
    } finally {
      await r.close();
      await new Promise((res) => http.close(res));
      await new Promise((res) => tlsServer.close(res));
    }
  });
});

describe('policy', () => {
  it('IP text forms: parseIp accepts what node:net isIP accepts (no zones), and formats IPv6 as the WHATWG URL parser does', () => {
    const samples = [
      '127.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '256.0.0.1',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4.5',
      '::',
      '::1',
      '1::',
      'fe80::1',
      '2001:db8::8:800:200c:417a',
      '2001:DB8:0:0:8:800:200C:417A',
      '::ffff:1.2.3.4',
      '::1.2.3.4',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      ':::',
      'g::1',
      '1:2:3:4:5:6:1.2.3.4',
      '64:ff9b::10.0.0.1',
      '1:0:0:2:0:0:0:3',
      'example.com',
      '',
    ];
    for (const s of samples) {
      expect([s, parseIp(s) !== undefined]).toEqual([s, isIP(s) !== 0]);
      const ip = parseIp(s);
      if (ip?.length === 16) expect([s, `[${formatIp(ip)}]`]).toEqual([s, new URL(`http://[${s}]/`).hostname]);
    }
    // IPv4-mapped collapses to IPv4 (what a connect() reaches).
    expect(formatIp(parseIp('::ffff:10.0.0.1')!)).toBe('10.0.0.1');
    expect(specialRange(parseIp('8.8.8.8')!)).toBeUndefined();
    expect(specialRange(parseIp('2606:4700::1111')!)).toBeUndefined();
    expect(specialRange(parseIp('::ffff:169.254.169.254')!)).toBe('link-local');
  });

  it('allow-list and origin patterns parse as documented', () => {
    expect(parseAllowEntry('*.example.com:443')).toMatchObject({ host: { kind: 'suffix', suffix: 'example.com' }, ports: [443, 443] });
    expect(parseAllowEntry('Example.COM.')).toMatchObject({ host: { kind: 'name', name: 'example.com' }, ports: [1, 65535] });
    expect(parseAllowEntry('10.0.0.0/8:5432')).toMatchObject({ host: { kind: 'ip', special: true }, ports: [5432, 5432] });
    expect(parseAllowEntry('[2001:db8::/32]:8000-8100')).toMatchObject({ host: { kind: 'ip', special: true }, ports: [8000, 8100] });
    expect(parseAllowEntry('203.0.112.0/24')).toMatchObject({ host: { kind: 'ip', special: false } });
    expect(parseAllowEntry('fd00::/8')).toMatchObject({ host: { kind: 'ip', special: true }, ports: [1, 65535] });
    expect(parseAllowEntry('*:443')).toMatchObject({ host: { kind: 'any' }, ports: [443, 443] });
    expect(parseOrigin('HTTPS://App.Example.com:443/')).toEqual({ kind: 'exact', origin: 'https://app.example.com' });
    expect(parseOrigin('http://localhost:5173')).toEqual({ kind: 'exact', origin: 'http://localhost:5173' });
  });
});
