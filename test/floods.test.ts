/**
 * Records that carry nothing, sent to accept() over TCP (issue #15,
 * "Limits a hostile peer cannot get around", 2nd point): a stream of
 * change_cipher_spec records after a ClientHello, or of warning alerts
 * from the first byte, used to be taken without end. The engine counts
 * consecutive ones (crypto-src/tls/pump.c, limits in tls_inner.h:
 * BoringSSL's, 32 dropped CCS / empty records and 4 warning alerts) and
 * fails one past the limit with unexpected_message (OpenSSL's answer to
 * CVE-2016-8610). test/native/test_tls_floods.c covers every kind at the
 * engine (KeyUpdate and NewSessionTicket floods included); this file
 * checks the same limits end to end, over TCP, against a real peer.
 *
 * Oracles: Node's tls client (OpenSSL) as the legitimate peer, with a
 * proxy in front of the server that injects the records; Node reports
 * the alert it received ("SSL alert number 10"). For the flood from the
 * first byte, a raw TCP client parses the server's plaintext answer byte
 * by byte.
 */
import { once } from 'node:events';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { accept } from '../ts/api/tls.js';
import { TLSError } from '../ts/core/errors.js';
import { root, useBuild } from './helpers/env.js';
import { Peer } from './helpers/peers.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
const ALERT_UNEXPECTED_MESSAGE = 10;
// tls_inner.h WT_TLS_MAX_EMPTY / WT_TLS_MAX_WARNINGS.
const MAX_EMPTY = 32;
const MAX_WARNINGS = 4;

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.dispose());

const CCS = Buffer.from([20, 3, 3, 0, 1, 1]);
// A TLS 1.2-style warning alert (level 1): no_renegotiation (100).
const WARNING = Buffer.from([21, 3, 1, 0, 2, 1, 100]);
const times = (rec: Buffer, n: number): Buffer => Buffer.concat(Array(n).fill(rec));

interface Outcome {
  /** 'ok' when the handshake completed, else the TLSError's code. */
  result: string;
  error?: TLSError;
}

/** accept() on 127.0.0.1:<ephemeral>; each connection's outcome is pushed
 * when its handshake settles. */
async function flooded(maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<{ server: Server; port: number; outcomes: Promise<Outcome>[] }> {
  const outcomes: Promise<Outcome>[] = [];
  const server = createServer({ allowHalfOpen: true }, (sock: Socket) => {
    sock.on('error', () => {});
    const t = accept({ transport: fromNodeSocket(sock), cert: pki.serverChainPem, key: pki.serverKeyPem, maxVersion });
    outcomes.push(
      t.opened.then(
        async () => {
          // The client's proof that the server took the handshake (a
          // TLS 1.3 client is done before the server read its Finished).
          const w = t.writable.getWriter();
          await w.write(new TextEncoder().encode('hi'));
          w.releaseLock();
          await t.close().catch(() => {});
          return { result: 'ok' };
        },
        (e: unknown) => ({ result: e instanceof TLSError ? e.code : String(e), error: e instanceof TLSError ? e : undefined }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, outcomes };
}

/** A TCP proxy to `target` that writes `before` upstream ahead of the
 * client's first byte, and `afterFirst` right after the client's first
 * complete record (its ClientHello); everything else passes unchanged,
 * in order. */
async function proxy(target: number, before: Buffer, afterFirst: Buffer): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (down: Socket) => {
    const up = netConnect({ host: '127.0.0.1', port: target, allowHalfOpen: true });
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    up.write(before);
    let head = Buffer.alloc(0);
    let first = true;
    down.on('data', (d: Buffer) => {
      if (!first) {
        up.write(d);
        return;
      }
      head = Buffer.concat([head, d]);
      if (head.length < 5 || head.length < 5 + head.readUInt16BE(3)) return;
      const n = 5 + head.readUInt16BE(3);
      first = false;
      up.write(head.subarray(0, n));
      up.write(afterFirst);
      if (head.length > n) up.write(head.subarray(n));
    });
    down.on('end', () => up.end());
    up.on('data', (d: Buffer) => down.write(d));
    up.on('end', () => down.end());
    up.on('close', () => down.destroy());
    down.on('close', () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Node's tls client through the proxy: 'ok' once the server's first
 * application data arrived (the server completed the handshake too), else
 * the error's message. `echo`: write first (for s_server's echo). */
async function nodeClient(port: number, maxVersion: 'TLSv1.2' | 'TLSv1.3', echo = false): Promise<string> {
  const s = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.caPem, maxVersion });
  try {
    return await new Promise<string>((resolve) => {
      // s_server echoes: it answers once it has our data.
      if (echo) s.once('secureConnect', () => s.write('ping'));
      s.once('data', () => resolve('ok'));
      s.once('error', (e) => resolve(e.message));
      s.once('close', () => resolve('closed before the handshake completed'));
    });
  } finally {
    s.destroy();
  }
}

// TLSPlaintext: alert (21), legacy version 3,3, length 2, fatal (2),
// unexpected_message (10); nothing else.
const FATAL_UNEXPECTED_MESSAGE = [21, 3, 3, 0, 2, 2, ALERT_UNEXPECTED_MESSAGE];

/** A raw TCP client that sends 100,000 warning alerts from the first byte
 * and returns every byte it read until the server ended (or 10 s passed:
 * a server that takes them all never answers). */
async function rawWarnings(port: number): Promise<number[] | string> {
  const sock = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
  try {
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<boolean>((r) => {
      sock.once('end', () => r(true));
      sock.once('close', () => r(true));
      timer = setTimeout(() => r(false), 10_000);
    });
    await once(sock, 'connect');
    sock.write(times(WARNING, 100_000));
    const done = await ended;
    clearTimeout(timer);
    return done ? [...Buffer.concat(got)] : `no end in 10 s; read ${Buffer.concat(got).length} bytes`;
  } finally {
    sock.destroy();
  }
}

const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function through(
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
  before: Buffer,
  afterFirst: Buffer,
): Promise<{ client: string; server: Outcome }> {
  const srv = await flooded(maxVersion);
  const px = await proxy(srv.port, before, afterFirst);
  try {
    const client = await nodeClient(px.port, maxVersion);
    // The server's outcome exists once it accepted the connection, which
    // it did before the client could have an answer.
    expect(srv.outcomes.length).toBe(1);
    return { client, server: await srv.outcomes[0]! };
  } finally {
    await closeServer(px.server);
    await closeServer(srv.server);
  }
}

const failedWith = (o: { client: string; server: Outcome }, code: string) => {
  expect(o.server.result).toBe(code);
  expect(o.server.error?.alert).toBe(ALERT_UNEXPECTED_MESSAGE);
  expect(o.server.error?.alertDirection).toBe('sent');
  // OpenSSL's text for a received fatal alert: "... SSL alert number 10".
  expect(o.client).toMatch(/alert number 10\b/);
};

describe('change_cipher_spec records after the ClientHello (TLS 1.3, RFC 8446 5: each one is dropped)', () => {
  // Node's client (OpenSSL, middlebox compatibility mode, RFC 8446 D.4)
  // sends one CCS of its own before its second flight: 31 injected + 1
  // reach the limit; its Finished (handshake bytes) comes after them.
  it(`${MAX_EMPTY - 1} injected + the client's own: the handshake completes`, async () => {
    const o = await through('TLSv1.3', Buffer.alloc(0), times(CCS, MAX_EMPTY - 1));
    expect(o).toEqual({ client: 'ok', server: { result: 'ok' } });
  }, 30_000);

  it(`${MAX_EMPTY + 1} injected: the server ends with unexpected_message (TOO_MANY_EMPTY_RECORDS)`, async () => {
    failedWith(await through('TLSv1.3', Buffer.alloc(0), times(CCS, MAX_EMPTY + 1)), 'ERR_SSL_TOO_MANY_EMPTY_RECORDS');
  }, 30_000);

  it('an endless-looking stream (100,000 records) ends the same way', async () => {
    failedWith(await through('TLSv1.3', Buffer.alloc(0), times(CCS, 100_000)), 'ERR_SSL_TOO_MANY_EMPTY_RECORDS');
  }, 30_000);
});

describe('warning alerts (RFC 5246 7.2: a warning does not end a TLS 1.2 connection)', () => {
  it(`${MAX_WARNINGS} before the ClientHello: the handshake completes`, async () => {
    const o = await through('TLSv1.3', times(WARNING, MAX_WARNINGS), Buffer.alloc(0));
    expect(o).toEqual({ client: 'ok', server: { result: 'ok' } });
  }, 30_000);

  it(`${MAX_WARNINGS + 1} before the ClientHello: unexpected_message (TOO_MANY_WARN_ALERTS)`, async () => {
    failedWith(await through('TLSv1.3', times(WARNING, MAX_WARNINGS + 1), Buffer.alloc(0)), 'ERR_SSL_TOO_MANY_WARN_ALERTS');
  }, 30_000);

  it(`TLS 1.2, ${MAX_WARNINGS} after the ClientHello: the handshake completes`, async () => {
    const o = await through('TLSv1.2', Buffer.alloc(0), times(WARNING, MAX_WARNINGS));
    expect(o).toEqual({ client: 'ok', server: { result: 'ok' } });
  }, 30_000);

  it(`TLS 1.2, ${MAX_WARNINGS + 1} after the ClientHello: unexpected_message (TOO_MANY_WARN_ALERTS)`, async () => {
    failedWith(await through('TLSv1.2', Buffer.alloc(0), times(WARNING, MAX_WARNINGS + 1)), 'ERR_SSL_TOO_MANY_WARN_ALERTS');
  }, 30_000);

  it('a raw client sending only warnings from the first byte (100,000) reads one fatal unexpected_message alert, then the end', async () => {
    const srv = await flooded('TLSv1.3');
    try {
      expect(await rawWarnings(srv.port)).toEqual(FATAL_UNEXPECTED_MESSAGE);
      expect(srv.outcomes.length).toBe(1);
      const o = await srv.outcomes[0]!;
      expect(o.result).toBe('ERR_SSL_TOO_MANY_WARN_ALERTS');
      expect(o.error?.alertDirection).toBe('sent');
    } finally {
      await closeServer(srv.server);
    }
  }, 30_000);
});

describe('`wasmtls s_server` under the same floods', () => {
  /** Our s_server on a free port (port 0), learnt from its ACCEPT line. */
  async function sServer(): Promise<{ srv: Peer; port: number }> {
    const srv = new Peer(process.execPath, [
      `${root}dist/cli.js`,
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-cert',
      pki.path('server-chain.crt'),
      '-key',
      pki.path('server.key'),
    ]);
    await srv.waitFor('\n', 15_000);
    const m = /^ACCEPT 127\.0\.0\.1:(\d+)$/m.exec(srv.stdout.toString());
    if (!m) throw new Error(`no ACCEPT line: ${srv.stdout.toString()} ${srv.stderr}`);
    return { srv, port: Number(m[1]) };
  }

  it('warnings from the first byte: one fatal unexpected_message alert, and the server goes on serving', async () => {
    const { srv, port } = await sServer();
    try {
      expect(await rawWarnings(port)).toEqual(FATAL_UNEXPECTED_MESSAGE);
      // The next (legitimate) client is served.
      const px = await proxy(port, Buffer.alloc(0), Buffer.alloc(0));
      try {
        expect(await nodeClient(px.port, 'TLSv1.3', true)).toBe('ok');
      } finally {
        await closeServer(px.server);
      }
    } finally {
      srv.kill();
    }
  }, 30_000);

  it(`${MAX_EMPTY + 1} CCS injected after the ClientHello: the client reads unexpected_message; ${MAX_EMPTY - 1}: the handshake completes`, async () => {
    const { srv, port } = await sServer();
    try {
      for (const [n, want] of [
        [MAX_EMPTY + 1, /alert number 10\b/],
        [MAX_EMPTY - 1, /^ok$/],
      ] as const) {
        const px = await proxy(port, Buffer.alloc(0), times(CCS, n));
        try {
          expect(await nodeClient(px.port, 'TLSv1.3', true)).toMatch(want);
        } finally {
          await closeServer(px.server);
        }
      }
    } finally {
      srv.kill();
    }
  }, 30_000);
});
