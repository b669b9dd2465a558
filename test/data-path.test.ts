/**
 * The record data path (issue #16): plaintext is read straight out of the
 * engine's receive buffer (no copy into a read buffer first) and records
 * are sealed straight into the outgoing side (no copy through the stage),
 * and a write finished in one call no longer digests its bytes. What must
 * hold whatever the copies: every byte arrives, in order, and a chunk the
 * application was handed stays what it was after later reads (the
 * receive buffer it was copied from is overwritten by the next record,
 * moved by the next input, and wiped when RELEASE_BUFFERS gives it back).
 * Oracles: node:crypto's SHA-256 of what was sent, and Node's tls as the
 * peer.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp } from '../ts/adapters/node-socket.js';
import { connect } from '../ts/api/tls.js';
import { Connection, SSL_MODE_RELEASE_BUFFERS, TLSContext } from '../ts/core/connection.js';
import { handshake, transfer } from '../ts/core/pump.js';
import { caChain } from '../bench/tlsfixture.js';
import { useBuild } from './helpers/env.js';

const w = useBuild('simd');
const pki = caChain();
const sha = (chunks: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
};
/** Sizes that cross record boundaries every way: tiny, one record, more. */
const SIZES = [1, 100, 16383, 16384, 16385, 40000, 65536, 5, 70001, 3];

function pair(release: boolean, suite?: 'TLS_AES_128_GCM_SHA256' | 'TLS_CHACHA20_POLY1305_SHA256'): [Connection, Connection] {
  const opts = suite ? { suites: [suite] } : {};
  const c = new Connection(new TLSContext({ verify: 'insecure-no-chain-validation', ...opts }));
  const s = new Connection(new TLSContext({ cert: pki.chainPem, key: pki.keyPem, ...opts }));
  // RELEASE_BUFFERS with no delay: the receive buffer is wiped and given
  // back as soon as a read leaves it empty, right after the read's engine
  // call: the harshest case for a chunk copied out of it.
  if (release) for (const x of [c, s]) x.setMode(SSL_MODE_RELEASE_BUFFERS);
  c.setConnectState();
  s.setAcceptState();
  handshake(c, s);
  return [c, s];
}

describe('in-memory pair: what readEx/peek/read hand out stays intact', () => {
  for (const release of [false, true]) {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const) {
      it(`${suite}${release ? ', RELEASE_BUFFERS' : ''}: kept chunks hash to what was sent`, () => {
        const [c, s] = pair(release, suite);
        const sent: Uint8Array[] = [];
        const kept: Uint8Array[] = [];
        const copies: Uint8Array[] = [];
        let peeked = 0;
        const drain = (): void => {
          for (;;) {
            // peek first: its bytes must be the ones the read then takes.
            const p = c.peek(7);
            if (p.ok) {
              const r = c.readEx();
              expect(r.ok).toBe(true);
              expect(Buffer.from(r.data.subarray(0, p.data.length)).equals(Buffer.from(p.data))).toBe(true);
              peeked++;
              kept.push(r.data);
              // A private copy now, to compare with the kept chunk at the end.
              copies.push(r.data.slice());
              continue;
            }
            return;
          }
        };
        for (let round = 0; round < 3; round++) {
          for (const n of SIZES) {
            const d = new Uint8Array(randomBytes(n));
            sent.push(d);
            // SSL_write(3): a write that wants to write is repeated with
            // the same buffer until it succeeds (the retry is checked
            // against the digest of what the first call consumed).
            for (let r = s.writeEx(d); !r.ok; r = s.writeEx(d)) {
              expect(s.getError(r.ok)).toBe('WANT_WRITE');
              transfer(s, c);
              drain();
            }
            transfer(s, c);
            drain();
          }
        }
        transfer(s, c);
        drain();
        expect(peeked).toBeGreaterThan(0);
        // Every chunk handed out is still what it was when it was read:
        // no later read, input or release reached it.
        for (let i = 0; i < kept.length; i++) expect(Buffer.from(kept[i]).equals(Buffer.from(copies[i]))).toBe(true);
        expect(sha(kept)).toBe(sha(sent));
        // read(buf) (SSL_read) and readEx(buf) fill the caller's buffer.
        const tail = new Uint8Array(randomBytes(20000));
        s.writeEx(tail);
        transfer(s, c);
        const a = new Uint8Array(100);
        expect(c.read(a)).toBe(100);
        const b = new Uint8Array(20000);
        const parts: Uint8Array[] = [a.slice()];
        for (let got = 100; got < 20000; ) {
          const r = c.readEx(b.subarray(got));
          expect(r.ok).toBe(true);
          expect(r.data.buffer).toBe(b.buffer);
          got += r.data.length;
        }
        parts.push(b.subarray(100));
        expect(sha(parts)).toBe(sha([tail]));
        if (release) expect(c.hasBuffers).toBe(false); // all read: given back, wiped
        c.dispose();
        s.dispose();
      });
    }
  }

  it('a read allocates nothing: no read buffer of 16 KiB beside the receive buffer', () => {
    const [c, s] = pair(false);
    s.writeEx(new Uint8Array(randomBytes(1000)));
    transfer(s, c);
    // Oracle: the allocator's own count of bytes in use (emmalloc). A
    // read buffer of one record (what reads copied through before) would
    // show up here on the first read.
    const before = w.memoryUsage().used;
    expect(c.readEx().data.length).toBe(1000);
    const d = new Uint8Array(10);
    s.writeEx(d);
    transfer(s, c);
    expect(c.read(new Uint8Array(10))).toBe(10);
    expect(w.memoryUsage().used).toBe(before);
    c.dispose();
    s.dispose();
  });
});

describe('against Node tls over TCP (connect())', () => {
  let server: ReturnType<typeof createServer>;
  let port = 0;
  const received = new Map<string, string>(); // upload id -> SHA-256 of what the server read
  const download = new Uint8Array(randomBytes(6 << 20));
  beforeAll(async () => {
    server = createServer({ key: pki.keyPem, cert: pki.chainPem }, (sock: TLSSocket) => {
      sock.once('data', (first: Buffer) => {
        const cmd = first.subarray(0, 4).toString('latin1');
        if (cmd === 'DOWN') {
          // Writes of awkward sizes, so records and TCP segments fall apart.
          let off = 0;
          const pump = (): void => {
            while (off < download.length) {
              const n = Math.min(download.length - off, 1 + ((off * 7919) % 100_000));
              const ok = sock.write(download.subarray(off, off + n));
              off += n;
              if (!ok) return void sock.once('drain', pump);
            }
            sock.end();
          };
          pump();
          return;
        }
        // UPxx: hash everything after the 8-byte header until the end.
        const id = first.subarray(4, 8).toString('latin1');
        const h = createHash('sha256');
        h.update(first.subarray(8));
        sock.on('data', (d: Buffer) => h.update(d));
        sock.on('end', () => {
          received.set(id, h.digest('hex'));
          sock.end();
        });
      });
      sock.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const open = async (readableHighWaterMark?: number) =>
    connect({
      transport: await connectTcp({ host: '127.0.0.1', port }),
      servername: 'localhost',
      ca: pki.caPem,
      ...(readableHighWaterMark ? { readableHighWaterMark } : {}),
    });

  it('6 MiB down: every chunk kept by the reader hashes to what Node sent', async () => {
    const tls = await open();
    const wr = tls.writable.getWriter();
    await wr.write(new TextEncoder().encode('DOWN'));
    const chunks: Uint8Array[] = [];
    const copies: string[] = [];
    const r = tls.readable.getReader();
    for (;;) {
      const x = await r.read();
      if (x.done) break;
      chunks.push(x.value);
      if (chunks.length % 16 === 1) copies.push(Buffer.from(x.value).toString('hex'));
    }
    expect(sha(chunks)).toBe(sha([download]));
    // Records buffered together come out as one chunk, never more than
    // 64 KiB of them (Driver.readSome).
    expect(Math.max(...chunks.map((x) => x.length))).toBeLessThanOrEqual(65536);
    // Chunks read early are unchanged after all the reads that followed.
    let k = 0;
    for (let i = 0; i < chunks.length; i += 16) expect(Buffer.from(chunks[i]).toString('hex')).toBe(copies[k++]);
    await tls.closed.catch(() => {});
  }, 60_000);

  it('backpressure: a reader that waits between chunks still gets every byte', async () => {
    // A small queue: the connection stops reading the transport while
    // the reader sleeps, so records pile up in the receive buffer and
    // the transport, and later reads find several waiting.
    const tls = await open(1024);
    const wr = tls.writable.getWriter();
    await wr.write(new TextEncoder().encode('DOWN'));
    const chunks: Uint8Array[] = [];
    const r = tls.readable.getReader();
    let i = 0;
    for (;;) {
      const x = await r.read();
      if (x.done) break;
      chunks.push(x.value);
      if (i++ % 64 === 0) await new Promise((res) => setTimeout(res, 5));
    }
    expect(sha(chunks)).toBe(sha([download]));
    await tls.closed.catch(() => {});
  }, 60_000);

  it('4 MiB up in writes of every size: Node reads exactly those bytes', async () => {
    const tls = await open();
    const wr = tls.writable.getWriter();
    const sent: Uint8Array[] = [new TextEncoder().encode('UPab1234')];
    let total = 0;
    for (let i = 0; total < 4 << 20; i++) {
      const n = SIZES[i % SIZES.length] * (1 + (i % 3));
      const d = new Uint8Array(randomBytes(n));
      sent.push(d);
      total += n;
    }
    const want = sha(sent.slice(1));
    // A buffer reused after its write resolved: the record it went into
    // was sealed from it already, so changing it later changes nothing.
    for (const d of sent) {
      await wr.write(d);
      d.fill(0);
    }
    await wr.close();
    const r = tls.readable.getReader();
    while (!(await r.read()).done) {}
    await tls.closed;
    expect(received.get('1234')).toBe(want);
  }, 60_000);
});
