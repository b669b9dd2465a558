/**
 * connect() / accept(): TLS as WHATWG streams over a Transport. Against
 * each other in memory (a TransformStream pair), against `openssl
 * s_server` and a Node `tls` client on 127.0.0.1: data both ways with
 * backpressure, close_notify and half-close, truncation, refused and
 * accepted-but-unauthorized chains, resumption, KeyUpdate, abort.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket, connectTcp } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import type { Transport } from '../ts/adapters/types.js';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { TLSError } from '../ts/core/errors.js';
import { useBuild } from './helpers/env.js';
import { have, Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';
import { freePort } from './helpers/runtimes.js';
import { memoryPair } from './helpers/memory-pair.js';

useBuild('simd');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

async function readAll(r: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of r as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function pairUp(client: Partial<Parameters<typeof connect>[0]> = {}, server: Partial<Parameters<typeof accept>[0]> = {}) {
  const { a, b } = memoryPair();
  const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem, ...server });
  const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, ...client });
  return { c, s };
}

describe('connect() / accept() in memory', () => {
  it('ca in every shape Node takes: PEM bytes, an array of PEM strings, PEM bytes mixed with another PEM (issue #13)', async () => {
    const enc = new TextEncoder();
    for (const ca of [enc.encode(pki.caPem), [pki.caPem], [pki.serverChainPem, enc.encode(pki.caPem)]]) {
      const { c, s } = pairUp({ ca });
      const [ci] = await Promise.all([c.opened, s.opened]);
      expect(ci.authorized).toBe(true);
      c.close();
      s.close();
    }
  });

  it('handshakes, reports what was negotiated, moves 3 MiB each way and closes in order', async () => {
    const { c, s } = pairUp({ ALPNProtocols: ['h2', 'http/1.1'] }, { ALPNProtocols: ['http/1.1'] });
    const [ci, si] = await Promise.all([c.opened, s.opened]);
    expect(ci).toMatchObject({
      version: 'TLSv1.3',
      cipher: 'TLS_CHACHA20_POLY1305_SHA256',
      cipherStandardName: 'TLS_CHACHA20_POLY1305_SHA256',
      group: 'x25519',
      alpnProtocol: 'http/1.1',
      servername: 'localhost',
      authorized: true,
      authorizationError: undefined,
      sessionReused: false,
      signatureScheme: 'ecdsa_secp256r1_sha256',
    });
    expect(ci.peerCertificate?.subject).toEqual({ CN: 'localhost' });
    expect(ci.peerCertificate?.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(ci.peerCertificates.length).toBe(2);
    expect(si).toMatchObject({ servername: 'localhost', alpnProtocol: 'http/1.1', authorized: false, peerCertificates: [] });

    const up = randomBytes(3 << 20),
      down = randomBytes(3 << 20);
    const send = async (t: TLSSocket, data: Uint8Array) => {
      const w = t.writable.getWriter();
      for (let i = 0; i < data.length; i += 100_000) await w.write(data.subarray(i, i + 100_000));
      await w.close();
    };
    const [gotS, gotC] = await Promise.all([readAll(s.readable), readAll(c.readable), send(c, up), send(s, down)]);
    expect(sha(gotS)).toBe(sha(up));
    expect(sha(gotC)).toBe(sha(down));
    await Promise.all([c.closed, s.closed]);
  });

  it('half-close: the client ends its side, then still reads the reply', async () => {
    const { c, s } = pairUp();
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('question'));
    await w.close();
    const q = await readAll(s.readable);
    expect(q.toString()).toBe('question');
    const sw = s.writable.getWriter();
    await sw.write(new TextEncoder().encode('answer'));
    await sw.close();
    expect((await readAll(c.readable)).toString()).toBe('answer');
    await Promise.all([c.closed, s.closed]);
  });

  it('backpressure: a reader that does not read stops the writer (bounded memory)', async () => {
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    const w = c.writable.getWriter();
    let written = 0;
    const chunk = new Uint8Array(16384);
    const pump = (async () => {
      for (;;) {
        await w.write(chunk);
        written += chunk.length;
      }
    })();
    pump.catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const stuck = written;
    await new Promise((r) => setTimeout(r, 200));
    // Nobody reads the server: the writer must have stopped, well below
    // 1 MiB (stream queues + one slice in flight).
    expect(written).toBe(stuck);
    expect(written).toBeLessThan(1 << 20);
    // Reading resumes it.
    const r = s.readable.getReader();
    let got = 0;
    while (got < stuck + 5 * 16384) got += (await r.read()).value!.length;
    expect(written).toBeGreaterThan(stuck);
    await Promise.all([c.close(), s.close()]);
  });

  it('delivers everything before reporting a transport end without close_notify (truncation)', async () => {
    const ab = new TransformStream<Uint8Array, Uint8Array>();
    const ba = new TransformStream<Uint8Array, Uint8Array>();
    const abw = ab.writable.getWriter();
    // The client's transport: reads what the server sent; the server's
    // writes go through a writer we can close abruptly (a FIN).
    const cT = fromStreams({ readable: ba.readable, writable: new WritableStream({ write: (x) => abw.write(x) }) });
    const baw = ba.writable.getWriter();
    let cutBa = false;
    const sT: Transport = {
      readable: ab.readable,
      writable: new WritableStream({ write: (x) => (cutBa ? undefined : baw.write(x)) }),
      close: async () => {},
    };
    const c = connect({ transport: cT, servername: 'localhost', ca: pki.caPem });
    const s = accept({ transport: sT, cert: pki.serverChainPem, key: pki.serverKeyPem });
    await Promise.all([c.opened, s.opened]);
    const body = randomBytes(200_000);
    const sw = s.writable.getWriter();
    // Once the body is out, the server's side vanishes with no close_notify.
    void sw.write(body).then(async () => {
      cutBa = true;
      await baw.close();
    });
    const r = c.readable.getReader();
    const parts: Uint8Array[] = [];
    let err: unknown;
    try {
      for (;;) {
        const x = await r.read();
        if (x.done) break;
        parts.push(x.value);
      }
    } catch (e) {
      err = e;
    }
    expect(sha(Buffer.concat(parts))).toBe(sha(body));
    expect(err).toBeInstanceOf(TLSError);
    expect(String((err as Error).message)).toMatch(/without close_notify/);
    await expect(c.closed).rejects.toThrow(/without close_notify/);
    await s.close();
  });

  it("onUnexpectedEof: 'end' ends the stream instead", async () => {
    const { a, b } = memoryPair();
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, onUnexpectedEof: 'end' });
    const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
    await Promise.all([c.opened, s.opened]);
    const sw = s.writable.getWriter();
    await sw.write(new TextEncoder().encode('bye'));
    // Close the server's transport without close_notify.
    await b.close();
    expect((await readAll(c.readable)).toString()).toBe('bye');
  });

  it('refuses an untrusted server with the validator alert; both sides see why', async () => {
    const { c, s } = pairUp({}, { cert: pki.strangerPem, key: pki.strangerKeyPem });
    const ce = await c.opened.catch((e) => e);
    const se = await s.opened.catch((e) => e);
    expect(ce).toBeInstanceOf(TLSError);
    expect(ce.alertDirection).toBe('sent');
    expect(ce.alert).toBe(48); // unknown_ca
    expect(ce.verifyError).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect(ce.message).toContain(ce.verifyError);
    expect(se).toBeInstanceOf(TLSError);
    expect(se.alertDirection).toBe('received');
    expect(se.alert).toBe(48);
    await expect(c.closed).rejects.toBe(ce);
    await expect(c.readable.getReader().read()).rejects.toBe(ce);
    await expect(c.writable.getWriter().write(new Uint8Array(1))).rejects.toBe(ce);
  });

  it('a wrong name is refused (bad_certificate, ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
    const { c, s } = pairUp({ servername: 'other.test' });
    const ce = await c.opened.catch((e) => e);
    expect(ce).toBeInstanceOf(TLSError);
    expect(ce.alertDirection).toBe('sent');
    expect(ce.verifyError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await s.opened.catch(() => {});
  });

  it('rejectUnauthorized: false completes and reports authorized false with the reason', async () => {
    const { c, s } = pairUp({ rejectUnauthorized: false }, { cert: pki.strangerPem, key: pki.strangerKeyPem });
    const info = await c.opened;
    expect(info.authorized).toBe(false);
    expect(info.authorizationError).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect(info.peerCertificate?.subject).toEqual({ CN: 'localhost' });
    await s.opened;
    const wrong = pairUp({ rejectUnauthorized: false, servername: 'other.test' });
    const wi = await wrong.c.opened;
    expect(wi.authorized).toBe(false);
    expect(wi.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    // No anchors at all: allowed only with rejectUnauthorized: false.
    const none = pairUp({ ca: undefined, rejectUnauthorized: false });
    expect((await none.c.opened).authorized).toBe(false);
    await expect(connect({ transport: memoryPair().a, servername: 'x' }).opened).rejects.toThrow(/no trust anchors/);
    await Promise.all([c.close(), s.close(), wrong.c.close(), wrong.s.close(), none.c.close(), none.s.close()]);
  });

  it('mutual TLS: requestCert with ca; a client without a certificate is refused', async () => {
    const ok = pairUp({ cert: pki.clientPem, key: pki.clientKeyPem }, { requestCert: true, ca: pki.caPem });
    const si = await ok.s.opened;
    expect(si.authorized).toBe(true);
    expect(si.peerCertificate?.subject).toEqual({ CN: 'client.test' });
    await ok.c.opened;
    const no = pairUp({}, { requestCert: true, ca: pki.caPem });
    const se = await no.s.opened.catch((e) => e);
    expect(se).toBeInstanceOf(TLSError);
    expect(se.alert).toBe(116); // certificate_required (RFC 8446 4.4.2.4)
    await no.c.opened.then(() => no.c.readable.getReader().read()).catch(() => {});
    await ok.c.close();
    await ok.s.close();
  });

  it('resumes a session from onSession; minVersion/maxVersion are checked', async () => {
    const ticketKey = randomBytes(32);
    let session: Uint8Array | undefined;
    const first = pairUp(
      {
        onSession: (x) => {
          session = x;
        },
      },
      { ticketKey },
    );
    await first.c.opened;
    const sw = first.s.writable.getWriter();
    await sw.write(new Uint8Array([1]));
    await first.c.readable.getReader().read(); // the tickets came before the byte
    expect(session).toBeDefined();
    await Promise.all([first.c.close(), first.s.close()]);
    const again = pairUp({ session }, { ticketKey });
    const info = await again.c.opened;
    expect(info.sessionReused).toBe(true);
    expect(info.authorized).toBe(true);
    await Promise.all([again.c.close(), again.s.close()]);
    await expect(
      connect({ transport: memoryPair().a, servername: 'x', ca: pki.caPem, maxVersion: 'TLSv1.1' as 'TLSv1.2' }).opened,
    ).rejects.toThrow(/maxVersion TLSv1\.1 cannot be met: wasmtls speaks TLSv1\.2 and TLSv1\.3/);
    await expect(connect({ transport: memoryPair().a, servername: 'x', ca: pki.caPem, ciphers: 'AES128-SHA' }).opened).rejects.toThrow(
      /unsupported cipher "AES128-SHA"/,
    );
  });

  it('sessions remember their name and verdict: no resumption under another name or from an unauthorized handshake', async () => {
    const ticketKey = randomBytes(32);
    const get = async (client: Partial<Parameters<typeof connect>[0]>, server: Partial<Parameters<typeof accept>[0]> = {}) => {
      let session: Uint8Array | undefined;
      const p = pairUp(
        {
          ...client,
          onSession: (x) => {
            session = x;
          },
        },
        { ticketKey, ...server },
      );
      await p.c.opened;
      await p.s.writable.getWriter().write(new Uint8Array([1]));
      await p.c.readable.getReader().read();
      await Promise.all([p.c.close(), p.s.close()]);
      return session!;
    };
    const good = await get({});
    // Another name (the certificate also names 127.0.0.1): full handshake.
    const other = pairUp({ session: good, servername: '127.0.0.1' }, { ticketKey });
    expect((await other.c.opened).sessionReused).toBe(false);
    await Promise.all([other.c.close(), other.s.close()]);
    // From a handshake that was not authorized (wrong CA, accepted with
    // rejectUnauthorized: false): a strict client does not offer it ...
    const loose = await get({ ca: pki.strangerPem, rejectUnauthorized: false });
    const strict = pairUp({ session: loose }, { ticketKey });
    const si = await strict.c.opened;
    expect(si.sessionReused).toBe(false);
    expect(si.authorized).toBe(true);
    await Promise.all([strict.c.close(), strict.s.close()]);
    // ... and a loose one that resumes it reports it unauthorized.
    const again = pairUp({ session: loose, ca: pki.strangerPem, rejectUnauthorized: false }, { ticketKey });
    const ai = await again.c.opened;
    expect(ai.sessionReused).toBe(true);
    expect(ai.authorized).toBe(false);
    await Promise.all([again.c.close(), again.s.close()]);
    await expect(
      connect({ transport: memoryPair().a, servername: 'localhost', ca: pki.caPem, session: new Uint8Array([9, 9, 9, 9]) }).opened,
    ).rejects.toThrow(/not one that getSession/);
  });

  it('a resumed mutual-TLS session: the server still knows the client was authorized', async () => {
    const ticketKey = randomBytes(32);
    let session: Uint8Array | undefined;
    const srv = { requestCert: true, ca: pki.caPem, ticketKey };
    const cli = { cert: pki.clientPem, key: pki.clientKeyPem };
    const first = pairUp(
      {
        ...cli,
        onSession: (x) => {
          session = x;
        },
      },
      srv,
    );
    expect((await first.s.opened).authorized).toBe(true);
    await first.s.writable.getWriter().write(new Uint8Array([1]));
    await first.c.readable.getReader().read();
    await Promise.all([first.c.close(), first.s.close()]);
    const again = pairUp({ ...cli, session }, srv);
    const si = await again.s.opened;
    expect(si.sessionReused).toBe(true);
    expect(si.authorized).toBe(true);
    expect(si.peerCertificates).toEqual([]);
    await Promise.all([again.c.close(), again.s.close()]);
  });

  it('keyUpdate() on a live connection; data still flows', async () => {
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    await c.keyUpdate(true);
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('after update'));
    const r = s.readable.getReader();
    expect(Buffer.from((await r.read()).value!).toString()).toBe('after update');
    await Promise.all([c.close(), s.close()]);
  });

  it('an AbortSignal ends the handshake', async () => {
    const { a } = memoryPair(); // nobody answers
    const ac = new AbortController();
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('took too long')), 50);
    await expect(c.opened).rejects.toThrow('took too long');
    await expect(c.closed).rejects.toThrow('took too long');
  });

  it('a peer that is not TLS: a clear error, no hang', async () => {
    const { a, b } = memoryPair();
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem });
    const w = b.writable.getWriter();
    await w.write(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await w.close();
    const e = await c.opened.catch((x) => x);
    expect(e).toBeInstanceOf(TLSError);
  });
});

describe('connect() / accept(): misuse and failing transports', () => {
  it('a transport that fails mid-stream errors the readable and closed, and frees the connection', async () => {
    const ab = new TransformStream<Uint8Array, Uint8Array>();
    const ba = new TransformStream<Uint8Array, Uint8Array>();
    let failRead!: (e: Error) => void;
    // The client reads through a stream we can error like a reset socket.
    const cRead = new ReadableStream<Uint8Array>({
      start(ctl) {
        failRead = (e) => ctl.error(e);
        const r = ba.readable.getReader();
        void (async () => {
          for (;;) {
            const x = await r.read().catch(() => ({ done: true, value: undefined }));
            if (x.done) return;
            try {
              ctl.enqueue(x.value!);
            } catch {
              return;
            }
          }
        })();
      },
    });
    const c = connect({ transport: fromStreams({ readable: cRead, writable: ab.writable }), servername: 'localhost', ca: pki.caPem });
    const s = accept({
      transport: fromStreams({ readable: ab.readable, writable: ba.writable }),
      cert: pki.serverChainPem,
      key: pki.serverKeyPem,
    });
    await Promise.all([c.opened, s.opened]);
    const sw = s.writable.getWriter();
    await sw.write(new TextEncoder().encode('first'));
    const r = c.readable.getReader();
    expect(Buffer.from((await r.read()).value!).toString()).toBe('first');
    failRead(new Error('ECONNRESET: connection reset by peer'));
    await expect(r.read()).rejects.toThrow(/ECONNRESET/);
    await expect(c.closed).rejects.toThrow(/ECONNRESET/);
    await expect(c.writable.getWriter().write(new Uint8Array(1))).rejects.toThrow();
    expect(() => c.connection.pending()).toThrow(/after dispose/);
    await s.close();
  });

  it('writes after the writable closed are refused; close() twice is fine; no write reaches a closed peer', async () => {
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    const w = c.writable.getWriter();
    await w.close();
    // (async: Node 20's WritableStream throws its internal assertion
    // synchronously for a write after close instead of rejecting.)
    await expect((async () => w.write(new Uint8Array(3)))()).rejects.toThrow();
    await c.close();
    await c.close();
    await expect(c.closed).resolves.toBeUndefined();
    // The server saw close_notify: its readable ends cleanly.
    expect((await readAll(s.readable)).length).toBe(0);
    await s.close();
  });

  it('a closed connection leaves no timer behind (a process can exit at once)', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    await Promise.all([c.close(), s.close()]);
    expect(timers()).toBe(before);
  });

  it('a non-Uint8Array chunk is a TypeError and the connection stays usable', async () => {
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    const w = c.writable.getWriter();
    await expect(w.write('text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    await Promise.all([c.close(), s.close()]);
  });

  it('cancelling the readable and closing the writable closes the transport', async () => {
    const { c, s } = pairUp();
    await Promise.all([c.opened, s.opened]);
    await c.readable.cancel();
    await c.writable.close();
    await expect(c.closed).resolves.toBeUndefined();
    // The server sees close_notify, then the end.
    expect((await readAll(s.readable)).length).toBe(0);
    await s.close();
  });

  it('aborting after the handshake ends both streams with the reason', async () => {
    const { a, b } = memoryPair();
    const ac = new AbortController();
    const c = connect({ transport: a, servername: 'localhost', ca: pki.caPem, signal: ac.signal });
    const s = accept({ transport: b, cert: pki.serverChainPem, key: pki.serverKeyPem });
    await Promise.all([c.opened, s.opened]);
    const pending = c.readable.getReader().read();
    ac.abort(new Error('user gave up'));
    await expect(pending).rejects.toThrow('user gave up');
    await expect(c.closed).rejects.toThrow('user gave up');
    await s.close();
  });

  it('garbage after the handshake: the right alert, a clear error, nothing delivered from it', async () => {
    const ab = new TransformStream<Uint8Array, Uint8Array>();
    const ba = new TransformStream<Uint8Array, Uint8Array>();
    const inject = ba.writable.getWriter();
    // The server's records go through `inject` too, so the garbage lands in order.
    const sT = fromStreams({ readable: ab.readable, writable: new WritableStream({ write: (x) => inject.write(x) }) });
    const c = connect({ transport: fromStreams({ readable: ba.readable, writable: ab.writable }), servername: 'localhost', ca: pki.caPem });
    const s = accept({ transport: sT, cert: pki.serverChainPem, key: pki.serverKeyPem });
    await Promise.all([c.opened, s.opened]);
    // An application_data record whose tag cannot verify.
    await inject.write(new Uint8Array([23, 3, 3, 0, 20, ...new Array(20).fill(0x41)]));
    const e = await c.readable
      .getReader()
      .read()
      .catch((x) => x);
    expect(e).toBeInstanceOf(TLSError);
    expect(e.alert).toBe(20); // bad_record_mac (RFC 8446 5.2)
    expect(e.alertDirection).toBe('sent');
    await s.close();
  });
});

describe('against real peers on 127.0.0.1', () => {
  it.runIf(have('openssl', ['version']))('our client through connectTcp to openssl s_server -www: HTTP GET, chain validated', async () => {
    const port = await freePort();
    const srv = new Peer('openssl', [
      's_server',
      '-accept',
      String(port),
      '-cert',
      pki.path('server-chain.crt'),
      '-key',
      pki.path('server.key'),
      '-www',
      '-tls1_3',
      '-alpn',
      'http/1.1',
    ]);
    try {
      await srv.waitFor('ACCEPT');
      const c = connect({
        transport: await connectTcp({ host: '127.0.0.1', port }),
        host: 'localhost',
        ca: pki.caPem,
        ALPNProtocols: ['http/1.1'],
      });
      const info = await c.opened;
      // OpenSSL's server honours the client's order by default: ChaCha20
      // first, ours (no AES instructions in wasm).
      expect(info).toMatchObject({
        version: 'TLSv1.3',
        authorized: true,
        alpnProtocol: 'http/1.1',
        cipher: 'TLS_CHACHA20_POLY1305_SHA256',
      });
      const w = c.writable.getWriter();
      await w.write(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
      const body = (await readAll(c.readable)).toString();
      expect(body).toMatch(/^HTTP\/1\.0 200 ok/);
      expect(body).toContain('TLSv1.3');
      await c.close();
    } finally {
      srv.kill();
    }
  });

  it('our server (accept over a net.Socket) with a Node tls client: 1 MiB echoed, close_notify both ways', async () => {
    const server = createServer({ allowHalfOpen: true }, (sock: Socket) => {
      const s = accept({ transport: fromNodeSocket(sock), cert: pki.serverChainPem, key: pki.serverKeyPem, ALPNProtocols: ['echo'] });
      void s.readable.pipeTo(s.writable).catch(() => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const sock = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, ALPNProtocols: ['echo'] });
      await new Promise<void>((res, rej) => {
        sock.once('secureConnect', () => res());
        sock.once('error', rej);
      });
      expect(sock.authorized).toBe(true);
      expect(sock.getProtocol()).toBe('TLSv1.3');
      expect(sock.alpnProtocol).toBe('echo');
      const data = randomBytes(1 << 20);
      const got: Buffer[] = [];
      sock.on('data', (d: Buffer) => got.push(d));
      const ended = new Promise<void>((r) => sock.once('end', () => r()));
      sock.end(data);
      await ended;
      expect(sha(Buffer.concat(got))).toBe(sha(data));
    } finally {
      server.close();
    }
  });
});
