/**
 * Fatal alerts reach the peer. A server (accept() over the Node socket
 * adapter, and wasmtls/node's TLSSocket) refuses handshakes; its clients
 * must read the alert every time. The hard case is a client whose bytes
 * are still arriving when the server refuses (the rest of a large flight
 * on a slow link, 0-RTT data, a request written at once): a server that
 * closes at once leaves them unread, its kernel answers them with a TCP
 * reset, and a client that writes its whole flight before reading (as
 * OpenSSL's state machine does) fails on EPIPE / ECONNRESET and never
 * reads the alert. After its alert the server must half-close, read and
 * discard for a bounded time, then close (RFC 8446 6.2).
 *
 * Oracles: real clients (openssl s_client, Node's tls) and a raw TCP
 * client sending a ClientHello no suite of the server matches, then more
 * bytes, then reading: what it reads is parsed here byte by byte.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import { accept } from '../ts/api/tls.js';
import { TLSSocket } from '../ts/api/node.js';
import { Connection, TLSContext } from '../ts/core/connection.js';
import { TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
const OPENSSL = have('openssl', ['version']);
const N = 10;
const ALERT_CERTIFICATE_REQUIRED = 116;
const ALERT_HANDSHAKE_FAILURE = 40;
let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.dispose());

type Role = 'tls' | 'node';

interface Refusing {
  server: Server;
  port: number;
  /** The alerts the server reports it sent. */
  sent: number[];
  errors: unknown[];
}

/** A server over accept() or wasmtls/node that refuses: it requires a
 * client certificate, and speaks only TLS_AES_128_GCM_SHA256. */
async function refusingServer(role: Role): Promise<Refusing> {
  const sent: number[] = [];
  const errors: unknown[] = [];
  const note = (e: unknown): void => {
    errors.push(e);
    const t = e instanceof TLSError ? e : (e as { cause?: unknown }).cause;
    if (t instanceof TLSError && t.alertDirection === 'sent') sent.push(t.alert!);
  };
  const server = createServer({ allowHalfOpen: true }, (sock: Socket) => {
    const o = {
      cert: pki.serverChainPem,
      key: pki.serverKeyPem,
      ca: pki.caPem,
      requestCert: true,
      ciphersuites: ['TLS_AES_128_GCM_SHA256'] as const,
    };
    if (role === 'tls') {
      const t = accept({ transport: fromNodeSocket(sock), ...o });
      t.opened.then(() => errors.push(new Error('handshake completed')), note);
    } else {
      const s = new TLSSocket(sock, { isServer: true, ...o, rejectUnauthorized: true });
      s.on('error', note);
      s.on('secure', () => errors.push(new Error('handshake completed')));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, sent, errors };
}

/** A ClientHello offering only TLS_CHACHA20_POLY1305_SHA256, made by our
 * own client engine. */
function clientHello(): Uint8Array {
  const ctx = new TLSContext({ suites: ['TLS_CHACHA20_POLY1305_SHA256'], verify: 'insecure-no-chain-validation' });
  const c = new Connection(ctx);
  try {
    c.setConnectState();
    c.doHandshake();
    return c.network.read().slice();
  } finally {
    c.dispose();
    ctx.dispose();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The raw client: ClientHello, then five 512-byte records 20 ms apart
 * (its bytes still arriving after the refusal), then reading: the alert
 * it got (from the first record it received), whether a write failed,
 * and how the connection ended.
 */
async function lateFlight(port: number): Promise<{ alert: number | undefined; writeError: string | undefined; ended: string }> {
  const sock = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sock.setNoDelay(true);
  const got: Buffer[] = [];
  let ended = 'open';
  let writeError: string | undefined;
  sock.on('data', (d: Buffer) => got.push(d));
  sock.on('end', () => {
    if (ended === 'open') ended = 'end';
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    ended = `error ${e.code}`;
  });
  const closed = once(sock, 'close');
  await once(sock, 'connect');
  const write = (b: Uint8Array) =>
    new Promise<void>((r) =>
      sock.write(b, (e) => {
        if (e && !writeError) writeError = (e as NodeJS.ErrnoException).code ?? e.message;
        r();
      }),
    );
  await write(clientHello());
  await sleep(60); // the server has refused by now
  const rec = new Uint8Array(5 + 512);
  rec.set([23, 3, 3, 2, 0]); // application_data, 512 bytes
  for (let i = 0; i < 5 && !writeError && !sock.destroyed; i++) {
    await write(rec);
    await sleep(20);
  }
  if (!sock.destroyed) sock.end();
  await Promise.race([closed, sleep(5000)]);
  sock.destroy();
  const all = Buffer.concat(got);
  // TLSPlaintext alert: type 21, version, length 2, level 2 (fatal), description.
  const alert = all.length >= 7 && all[0] === 21 && all.readUInt16BE(3) === 2 && all[5] === 2 ? all[6] : undefined;
  return { alert, writeError, ended };
}

describe.each(['tls', 'node'] as Role[])('a refusing server (%s) lets its alert arrive', (role) => {
  it(`a client still sending after the refusal reads handshake_failure and a clean end, ${N} of ${N}`, async () => {
    const srv = await refusingServer(role);
    try {
      const results = [];
      for (let i = 0; i < N; i++) results.push(await lateFlight(srv.port));
      const ok = results.filter((r) => r.alert === ALERT_HANDSHAKE_FAILURE && r.writeError === undefined && r.ended === 'end');
      console.log(
        `${role}: late-flight client: alerts sent ${srv.sent.length}, received ${results.filter((r) => r.alert !== undefined).length}, clean ${ok.length} of ${N}`,
      );
      expect(srv.sent).toEqual(Array(N).fill(ALERT_HANDSHAKE_FAILURE));
      expect(results).toEqual(Array(N).fill({ alert: ALERT_HANDSHAKE_FAILURE, writeError: undefined, ended: 'end' }));
    } finally {
      srv.server.close();
    }
  }, 60_000);

  it.skipIf(!OPENSSL)(
    `openssl s_client without a certificate reads certificate_required, ${N} of ${N}`,
    async () => {
      const srv = await refusingServer(role);
      try {
        let got = 0;
        const outs: string[] = [];
        for (let i = 0; i < N; i++) {
          const p = new Peer('openssl', [
            's_client',
            '-connect',
            `127.0.0.1:${srv.port}`,
            '-tls1_3',
            '-CAfile',
            pki.path('ca.crt'),
            '-servername',
            'localhost',
            '-ciphersuites',
            'TLS_AES_128_GCM_SHA256',
          ]);
          try {
            // A request right after the handshake: written while the
            // refusal is on its way.
            p.write(Buffer.alloc(1 << 16, 0x61));
            await p.waitExit(15_000);
          } finally {
            p.kill();
          }
          const out = p.stderr + p.stdout.toString('latin1');
          outs.push(out);
          if (/alert certificate required/.test(out)) got++;
        }
        console.log(`${role}: openssl s_client: alerts sent ${srv.sent.length}, received ${got} of ${N}`);
        expect(srv.sent).toEqual(Array(N).fill(ALERT_CERTIFICATE_REQUIRED));
        expect(
          got,
          outs.find((o) => !/alert certificate required/.test(o)),
        ).toBe(N);
      } finally {
        srv.server.close();
      }
    },
    120_000,
  );

  it(`Node tls clients without a certificate read certificate_required, ${N} of ${N}`, async () => {
    const srv = await refusingServer(role);
    try {
      const codes: string[] = [];
      for (let i = 0; i < N; i++) {
        const c = nodeTls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: pki.caPem, minVersion: 'TLSv1.3' });
        c.on('secureConnect', () => c.write(Buffer.alloc(1 << 16, 0x61)));
        c.resume();
        const [e] = (await once(c, 'error')) as [NodeJS.ErrnoException];
        codes.push(String(e.code));
        c.destroy();
      }
      console.log(
        `${role}: Node tls: alerts sent ${srv.sent.length}, received ${codes.filter((c) => c === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED').length} of ${N}`,
      );
      expect(codes).toEqual(Array(N).fill('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
      expect(srv.sent).toEqual(Array(N).fill(ALERT_CERTIFICATE_REQUIRED));
    } finally {
      srv.server.close();
    }
  }, 60_000);
});

describe("the linger is the transport's, not the socket's", () => {
  it('over a stream pair: alert, half-close, late bytes still taken, the transport closed only after the peer ended', async () => {
    const up = new TransformStream<Uint8Array, Uint8Array>(); // client -> server
    const down = new TransformStream<Uint8Array, Uint8Array>(); // server -> client
    let closedAt: number | undefined;
    const transport = fromStreams(
      { readable: up.readable, writable: down.writable },
      {
        close: () => {
          closedAt = Date.now();
        },
      },
    );
    const t = accept({ transport, cert: pki.serverChainPem, key: pki.serverKeyPem, ciphersuites: ['TLS_AES_128_GCM_SHA256'] });
    const cw = up.writable.getWriter();
    const cr = down.readable.getReader();
    // The client reads (to the server's end of stream) while it writes.
    const got: number[] = [];
    const reading = (async () => {
      for (let r = await cr.read(); !r.done; r = await cr.read()) got.push(...r.value);
    })();
    await cw.write(clientHello());
    const err = await t.opened.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TLSError);
    expect([(err as TLSError).alertDirection, (err as TLSError).alert]).toEqual(['sent', ALERT_HANDSHAKE_FAILURE]);
    // It got the alert, then the server's half-close.
    await reading;
    expect(got).toEqual([21, 3, 3, 0, 2, 2, ALERT_HANDSHAKE_FAILURE]);
    // Its flight still coming is taken (and discarded), not refused.
    const rec = new Uint8Array(5 + 512);
    rec.set([23, 3, 3, 2, 0]);
    for (let i = 0; i < 3; i++) await cw.write(rec);
    await sleep(50);
    expect(closedAt).toBeUndefined();
    // The client's end ends the linger.
    const ended = Date.now();
    await cw.close();
    await t.closed.catch(() => {});
    expect(closedAt).toBeDefined();
    expect(closedAt! - ended).toBeLessThan(1000);
  });

  it.skipIf(!existsSync(`${root}dist/tls.js`))("a lingering connection does not keep the process alive (its timer is unref'd)", () => {
    // A peer that never ends its side: the connection lingers for up to
    // 2 s; a process with nothing else to do exits at once anyway.
    const dir = mkdtempSync(join(tmpdir(), 'wasmtls-linger-'));
    try {
      const script = join(dir, 'linger.mjs');
      writeFileSync(
        script,
        `
        import { init } from ${JSON.stringify(`${root}dist/loader.js`)};
        import { accept } from ${JSON.stringify(`${root}dist/tls.js`)};
        import { fromStreams } from ${JSON.stringify(`${root}dist/adapters/streams.js`)};
        await init();
        const up = new TransformStream(), down = new TransformStream();
        const t = accept({ transport: fromStreams({ readable: up.readable, writable: down.writable }),
          cert: ${JSON.stringify(pki.serverChainPem)}, key: ${JSON.stringify(pki.serverKeyPem)} });
        const w = up.writable.getWriter();
        const r = down.readable.getReader();
        (async () => { while (!(await r.read()).done); })();
        w.write(new Uint8Array([22, 3, 1, 0, 4, 1, 0, 0, 0])); // a ClientHello with no body: decode_error
        const e = await t.opened.catch((e) => e);
        console.log('refused:', e.message);
      `,
      );
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 });
      const ms = Date.now() - t0;
      expect(r.stdout + r.stderr).toMatch(/refused: wasmtls: sent fatal alert/);
      expect(r.status).toBe(0);
      expect(ms).toBeLessThan(1900);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
