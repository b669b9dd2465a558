/**
 * The SSL object through TypeScript (ts/core/connection.ts): each rule of
 * OpenSSL's SSL_write(3) / SSL_read(3) / SSL_get_error(3) /
 * SSL_CTX_set_mode(3) that issue 4/6 lists (rules 1-11) has its own test
 * here, over an in-memory client <-> server pair, plus the verification
 * policy, modes, configuration and lifetime.
 */
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALERT,
  Connection,
  SSL_ERROR_NONE,
  SSL_ERROR_SSL,
  SSL_ERROR_SYSCALL,
  SSL_ERROR_WANT_READ,
  SSL_ERROR_WANT_RETRY_VERIFY,
  SSL_ERROR_WANT_WRITE,
  SSL_ERROR_ZERO_RETURN,
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER,
  SSL_MODE_AUTO_RETRY,
  SSL_MODE_ENABLE_PARTIAL_WRITE,
  SSL_MODE_RELEASE_BUFFERS,
  SSL_WRITE_FLAG_CONCLUDE,
  TLS_ERR,
  TLSContext,
  TLSError,
  pemDecode,
} from '../ts/core/connection.js';
import { handshakeAsync } from '../ts/core/pump.js';
import { wasm } from '../ts/core/loader.js';
import { useBuild } from './helpers/env.js';
import { makeTestCerts, type TestCerts } from './helpers/tls-certs.js';
import {
  BIG_OUT,
  concat,
  connected,
  deliver,
  equalBytes,
  exchange,
  handshake,
  makePair,
  pattern,
  readAll,
  records,
  transfer,
} from './helpers/tls-pair.js';

useBuild('simd');
const enc = (s: string) => new TextEncoder().encode(s);
let certs: TestCerts;

beforeAll(async () => {
  certs = await makeTestCerts();
}, 60_000);
afterAll(() => certs?.dispose());

const ed = () => certs.server.ed25519;

describe('rule 1: the API surface', () => {
  it('constants carry OpenSSL numbers', () => {
    expect([
      SSL_ERROR_NONE,
      SSL_ERROR_SSL,
      SSL_ERROR_WANT_READ,
      SSL_ERROR_WANT_WRITE,
      SSL_ERROR_SYSCALL,
      SSL_ERROR_ZERO_RETURN,
      SSL_ERROR_WANT_RETRY_VERIFY,
    ]).toEqual([0, 1, 2, 3, 5, 6, 12]);
    expect([SSL_MODE_ENABLE_PARTIAL_WRITE, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, SSL_MODE_AUTO_RETRY, SSL_MODE_RELEASE_BUFFERS]).toEqual([
      1, 2, 4, 0x10,
    ]);
    expect(SSL_WRITE_FLAG_CONCLUDE).toBe(1);
  });

  it('modes: AUTO_RETRY by default, set/clear on context and connection', () => {
    const ctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
    expect(ctx.getMode()).toBe(SSL_MODE_AUTO_RETRY);
    expect(ctx.setMode(SSL_MODE_ENABLE_PARTIAL_WRITE)).toBe(SSL_MODE_AUTO_RETRY | SSL_MODE_ENABLE_PARTIAL_WRITE);
    const c = new Connection(ctx);
    expect(c.getMode()).toBe(SSL_MODE_AUTO_RETRY | SSL_MODE_ENABLE_PARTIAL_WRITE);
    expect(c.clearMode(SSL_MODE_AUTO_RETRY)).toBe(SSL_MODE_ENABLE_PARTIAL_WRITE);
    expect(c.setMode(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)).toBe(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    expect(ctx.getMode()).toBe(SSL_MODE_AUTO_RETRY | SSL_MODE_ENABLE_PARTIAL_WRITE); // copied at creation
    expect(() => c.setMode(0x100)).toThrow(RangeError);
    c.dispose();
    ctx.dispose();
  });

  it('network side: pending/writable counts, bounded outgoing side', () => {
    const p = connected(ed());
    expect(p.c.network.pending()).toBe(0);
    const room = p.s.network.writable();
    expect(room).toBeGreaterThanOrEqual(16384 + 256 + 5);
    p.c.network.setCap(100);
    expect(p.c.writeEx(pattern(1000)).ok).toBe(false);
    expect(p.c.getError(false)).toBe('WANT_WRITE');
    expect(p.c.network.pending()).toBe(100);
    const first = p.c.network.read(40);
    expect(first.length).toBe(40);
    expect(p.c.network.pending()).toBe(100); // refilled from the staged record up to the cap
    expect(p.s.network.write(first)).toBe(40);
    expect(p.s.network.unprocessed()).toBe(40);
    expect(p.s.network.writable()).toBe(room - 40);
    expect(() => p.c.network.setCap(0)).toThrow(RangeError);
    expect(() => p.c.network.setCap(1 << 20)).toThrow(TLSError);
    p.dispose();
  });
});

describe('rule 2: the first write or read runs the handshake', () => {
  it('implicit handshake on the first write (client) and read (server)', () => {
    const p = makePair(ed());
    const data = enc('hello before any handshake call');
    expect(p.c.isInitFinished).toBe(false);
    expect(p.c.write(data)).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_READ');
    transfer(p.c, p.s);
    expect(p.s.readEx().ok).toBe(false);
    expect(p.s.getError(false)).toBe('WANT_READ');
    transfer(p.s, p.c);
    expect(p.c.write(data)).toBe(data.length);
    expect(p.c.isInitFinished).toBe(true);
    transfer(p.c, p.s);
    const r = p.s.readEx();
    expect(r.ok).toBe(true);
    expect(equalBytes(r.data, data)).toBe(true);
    expect(p.s.isInitFinished).toBe(true);
    p.dispose();
  });

  it('without connect or accept state: a clear error that does not stick', () => {
    const ctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
    const c = new Connection(ctx);
    expect(c.isServer).toBeUndefined();
    expect(c.write(enc('x'))).toBeLessThanOrEqual(0);
    expect(c.getError(-1)).toBe('SSL');
    expect(c.error).toBeInstanceOf(TLSError);
    expect(c.error!.engineCode).toBe(TLS_ERR.NO_STATE);
    expect(c.error!.reason).toBe('neither connect nor accept state was set');
    expect(c.readEx().ok).toBe(false);
    expect(c.error!.engineCode).toBe(TLS_ERR.NO_STATE);
    expect(c.network.pending()).toBe(0);
    c.setConnectState();
    expect(c.isServer).toBe(false);
    expect(c.doHandshake()).toBe(-1);
    expect(c.getError(-1)).toBe('WANT_READ'); // ClientHello out, not stuck on the earlier misuse
    expect(c.network.pending()).toBeGreaterThan(0);
    c.dispose();
    ctx.dispose();
  });

  it('no verification policy: a client refuses to connect, sends nothing', () => {
    const ctx = new TLSContext();
    expect(ctx.verify).toBeUndefined();
    const c = new Connection(ctx);
    c.setConnectState();
    expect(c.write(enc('x'))).toBe(-1);
    expect(c.getError(-1)).toBe('SSL');
    expect(c.error!.engineCode).toBe(TLS_ERR.NO_VERIFY_POLICY);
    expect(c.error!.message).toMatch(/no certificate verification policy/);
    expect(c.network.pending()).toBe(0);
    expect(c.doHandshake()).toBe(-1); // sticky
    expect(c.error!.engineCode).toBe(TLS_ERR.NO_VERIFY_POLICY);
    c.dispose();
    ctx.dispose();
    // Asking for client certificates needs a policy too, and so does 'external'.
    expect(() => new TLSContext({ clientCert: 'require' })).toThrow(/needs a verify policy/);
    expect(() => new TLSContext({ verify: 'external' })).toThrow(/onVerify/);
    expect(() => new TLSContext({ verify: 'none' as never })).toThrow(/unknown policy/);
  });
});

describe('rule 3: WANT_READ and WANT_WRITE', () => {
  it('WANT_READ while the handshake needs peer bytes', () => {
    const p = makePair(ed());
    expect(p.c.doHandshake()).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_READ');
    expect(p.s.doHandshake()).toBe(-1);
    expect(p.s.getError(-1)).toBe('WANT_READ'); // nothing received yet
    handshake(p.c, p.s);
    expect(p.c.readEx().ok).toBe(false);
    expect(p.c.getError(false)).toBe('WANT_READ'); // no application data yet
    p.dispose();
  });

  it('WANT_WRITE rounds with a network buffer smaller than one record; all bytes once', () => {
    const p = connected(ed());
    const LEN = 70_000,
      CAP = 1000;
    const data = pattern(LEN, 7);
    p.c.network.setCap(CAP);
    const got: Uint8Array[] = [];
    let rounds = 0,
      r: number;
    for (;;) {
      r = p.c.write(data);
      if (r > 0) break;
      expect(p.c.getError(r)).toBe('WANT_WRITE');
      expect(p.c.network.pending()).toBeLessThanOrEqual(CAP);
      transfer(p.c, p.s, CAP);
      got.push(readAll(p.s).data);
      rounds++;
      expect(rounds).toBeLessThan(10_000);
    }
    expect(r).toBe(LEN);
    expect(rounds).toBeGreaterThan(50);
    got.push(deliver(p.c, p.s));
    expect(equalBytes(concat(got), data)).toBe(true);
    console.log(`WANT_WRITE: ${LEN} bytes through a ${CAP}-byte outgoing side in ${rounds} rounds`);
    p.dispose();
  });

  it('handshake with a 64-byte outgoing side on both ends', () => {
    const p = makePair(certs.server.rsa2048);
    p.c.network.setCap(64);
    p.s.network.setCap(64);
    handshake(p.c, p.s, { frag: 64 });
    expect(p.c.isInitFinished && p.s.isInitFinished).toBe(true);
    p.dispose();
  });
});

describe('rule 4: a write may process buffered incoming records', () => {
  it('NewSessionTicket waiting in the incoming side is processed by a write', () => {
    const p = connected(ed(), {}, { ticketKey: new Uint8Array(32).fill(3), tickets: 2 });
    expect(p.c.network.unprocessed()).toBeGreaterThan(0); // the tickets, not read yet
    expect(p.c.getSession()).toBeUndefined();
    expect(p.c.write(enc('ping'))).toBe(4);
    expect(p.c.network.unprocessed()).toBe(0);
    expect(p.c.getSession()).toBeInstanceOf(Uint8Array);
    p.dispose();
  });

  it('KeyUpdate(update_requested) waiting is processed by a write, which answers it first', () => {
    const p = connected(ed());
    expect(p.s.keyUpdate(true)).toBe(true);
    const y = enc('server data after its KeyUpdate');
    expect(p.s.write(y)).toBe(y.length);
    transfer(p.s, p.c);
    const recs = records(p.s.network.read());
    expect(recs.length).toBe(0);
    expect(p.c.pending()).toBe(0);
    const z = enc('client data');
    expect(p.c.write(z)).toBe(z.length);
    // The write read the KeyUpdate and stopped at the application data.
    expect(p.c.network.unprocessed()).toBe(0);
    expect(p.c.pending()).toBe(y.length);
    const out = p.c.network.read();
    expect(records(out).length).toBe(2); // our KeyUpdate, then the data
    p.s.network.write(out);
    const r = p.s.readEx();
    expect(r.ok && equalBytes(r.data, z)).toBe(true); // server switched its read key
    expect(equalBytes(p.c.readEx().data, y)).toBe(true);
    p.dispose();
  });
});

describe('keyUpdate', () => {
  it('sent with the next write, read, or at once by doHandshake (SSL_key_update(3))', () => {
    const p = connected(ed());
    expect(p.c.keyUpdate(false)).toBe(true);
    expect(p.c.network.pending()).toBe(0); // scheduled, not sent
    expect(p.c.doHandshake()).toBe(1);
    const ku = p.c.network.read();
    expect(records(ku)).toEqual([[23, 4 + 1 + 1 + 16]]); // one KeyUpdate record
    p.s.network.write(ku);
    expect(p.c.write(enc('new key'))).toBe(7);
    expect(deliver(p.c, p.s)).toEqual(enc('new key')); // the server took the update
    // update_requested: the peer answers with its own before its next data.
    expect(p.c.keyUpdate(true)).toBe(true);
    expect(p.c.doHandshake()).toBe(1);
    transfer(p.c, p.s);
    expect(p.s.readEx().ok).toBe(false); // processes the KeyUpdate
    expect(p.s.write(enc('reply'))).toBe(5);
    expect(records(p.s.network.read(100_000).slice()).length).toBe(2);
    p.dispose();
    const q = makePair(ed());
    expect(q.c.keyUpdate(false)).toBe(false); // not before the handshake
    q.dispose();
  });
});

describe('rule 5: all-or-nothing, or partial writes', () => {
  it('all-or-nothing by default: one success with all bytes, across many records', () => {
    const p = connected(ed(), BIG_OUT);
    const data = pattern(100_000, 2);
    expect(p.c.write(data)).toBe(100_000);
    const out = p.c.network.read();
    expect(records(out).map((r) => r[1])).toEqual([...Array(6).fill(16384 + 17), 100_000 - 6 * 16384 + 17]);
    const got: Uint8Array[] = [];
    for (let off = 0; off < out.length; ) {
      off += p.s.network.write(out.subarray(off));
      got.push(readAll(p.s).data);
    }
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });

  it('all-or-nothing through the default (one-record) outgoing side: only the last call succeeds', () => {
    const p = connected(ed());
    const data = pattern(100_000, 12);
    const results: number[] = [];
    const got: Uint8Array[] = [];
    for (let r = 0; r <= 0; ) {
      r = p.c.write(data);
      results.push(r);
      got.push(deliver(p.c, p.s));
    }
    expect(results.slice(0, -1).every((r) => r === -1)).toBe(true);
    expect(results.at(-1)).toBe(100_000);
    expect(results.length).toBeGreaterThan(2);
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });

  it('ENABLE_PARTIAL_WRITE: success after each completed record, with its count', () => {
    const p = connected(ed());
    p.c.setMode(SSL_MODE_ENABLE_PARTIAL_WRITE);
    const data = pattern(40_000, 3);
    const counts: number[] = [];
    const got: Uint8Array[] = [];
    for (let off = 0; off < data.length; ) {
      const r = p.c.writeEx(data.subarray(off));
      expect(r.ok).toBe(true);
      counts.push(r.written);
      off += r.written;
      got.push(deliver(p.c, p.s));
    }
    expect(counts).toEqual([16384, 16384, 40_000 - 32768]);
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });

  it('ENABLE_PARTIAL_WRITE under WANT_WRITE rounds', () => {
    const p = connected(ed());
    p.c.setMode(SSL_MODE_ENABLE_PARTIAL_WRITE);
    p.c.network.setCap(500);
    const data = pattern(50_000, 4);
    const counts: number[] = [];
    const got: Uint8Array[] = [];
    let off = 0,
      wants = 0;
    let cur = data.subarray(off);
    while (off < data.length) {
      const r = p.c.write(cur);
      if (r <= 0) {
        expect(p.c.getError(r)).toBe('WANT_WRITE');
        wants++;
        transfer(p.c, p.s, 500);
        got.push(readAll(p.s).data);
        continue;
      }
      counts.push(r);
      off += r;
      cur = data.subarray(off);
    }
    got.push(deliver(p.c, p.s));
    expect(counts).toEqual([16384, 16384, 16384, 50_000 - 3 * 16384]);
    expect(wants).toBeGreaterThan(90);
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });
});

describe('rule 6: a retry after WANT_* must repeat the same call', () => {
  function pendingWrite(mode = 0) {
    const p = connected(ed());
    if (mode) p.c.setMode(mode);
    p.c.network.setCap(100);
    const data = pattern(50_000, 5);
    expect(p.c.write(data)).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_WRITE');
    return { p, data };
  }

  function expectBadRetry(p: ReturnType<typeof pendingWrite>['p'], r: number) {
    expect(r).toBeLessThanOrEqual(0);
    expect(p.c.getError(r)).toBe('SSL');
    expect(p.c.error!.engineCode).toBe(TLS_ERR.BAD_WRITE_RETRY);
    expect(p.c.error!.reason).toMatch(/bad write retry/);
  }

  it('different bytes in the same buffer object: bad write retry', () => {
    const { p, data } = pendingWrite();
    data[10] ^= 1; // inside the record already sealed
    expectBadRetry(p, p.c.write(data));
    p.dispose();
  });

  it('different length: bad write retry', () => {
    const { p, data } = pendingWrite();
    expectBadRetry(p, p.c.write(data.subarray(0, data.length - 1)));
    p.dispose();
  });

  it('another buffer object with the same bytes, without ACCEPT_MOVING_WRITE_BUFFER: bad write retry', () => {
    const { p, data } = pendingWrite();
    expectBadRetry(p, p.c.write(data.slice()));
    // Sticky: the original buffer is refused too now.
    expectBadRetry(p, p.c.write(data));
    p.dispose();
  });

  it('another buffer object with the same bytes, with ACCEPT_MOVING_WRITE_BUFFER: accepted, nothing twice or lost', () => {
    const { p, data } = pendingWrite(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const got: Uint8Array[] = [];
    let r = -1,
      moves = 0;
    while (r <= 0) {
      expect(p.c.getError(r)).toBe('WANT_WRITE');
      transfer(p.c, p.s, 100);
      got.push(readAll(p.s).data);
      r = p.c.write(data.slice()); // a fresh object each time
      moves++;
    }
    expect(r).toBe(data.length);
    expect(moves).toBeGreaterThan(100);
    got.push(deliver(p.c, p.s));
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });

  it('ACCEPT_MOVING_WRITE_BUFFER still refuses different bytes', () => {
    const { p, data } = pendingWrite(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const other = data.slice();
    other[0] ^= 0x80;
    expectBadRetry(p, p.c.write(other));
    p.dispose();
  });

  it('the same object and bytes after each WANT_WRITE: every byte exactly once', () => {
    const { p, data } = pendingWrite();
    const got: Uint8Array[] = [];
    let r = -1;
    while (r <= 0) {
      transfer(p.c, p.s, 100);
      got.push(readAll(p.s).data);
      r = p.c.write(data);
    }
    got.push(deliver(p.c, p.s));
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });
});

describe('rule 7: zero-length writes', () => {
  it('writeEx(empty) succeeds and sends nothing; write(empty) is an error that does not stick', () => {
    const p = connected(ed());
    const w = p.c.writeEx(new Uint8Array(0));
    expect(w).toEqual({ ok: true, written: 0 });
    expect(p.c.network.pending()).toBe(0);
    expect(p.c.write(new Uint8Array(0))).toBeLessThanOrEqual(0);
    expect(p.c.getError(-1)).toBe('SSL');
    expect(p.c.error!.engineCode).toBe(TLS_ERR.BAD_LENGTH);
    expect(p.c.network.pending()).toBe(0);
    expect(p.c.write(enc('x'))).toBe(1);
    expect(p.c.error).toBeUndefined();
    expect(deliver(p.c, p.s)).toEqual(enc('x'));
    p.dispose();
  });
});

describe('rule 8: writeEx2 with CONCLUDE', () => {
  it('data, then close_notify in the same flight; the writer still reads', () => {
    const p = connected(ed(), BIG_OUT);
    const data = pattern(20_000, 6);
    expect(p.c.writeEx2(data, SSL_WRITE_FLAG_CONCLUDE)).toEqual({ ok: true, written: 20_000 });
    expect(p.c.getShutdown() & 1).toBe(1);
    const out = p.c.network.read();
    expect(records(out).length).toBe(3); // two data records and the alert
    p.s.network.write(out);
    const r = readAll(p.s);
    expect(equalBytes(r.data, data)).toBe(true);
    expect(r.stop).toBe('ZERO_RETURN');
    expect(p.s.getShutdown() & 2).toBe(2);
    // Half-close: the peer answers, we read it.
    const late = enc('late reply');
    expect(p.s.write(late)).toBe(late.length);
    expect(equalBytes(deliver(p.s, p.c), late)).toBe(true);
    // Our write side is closed: an error, which does not stop reading.
    expect(p.c.write(enc('more'))).toBe(-1);
    expect(p.c.getError(-1)).toBe('SSL');
    expect(p.c.error!.engineCode).toBe(TLS_ERR.PROTOCOL_SHUTDOWN);
    expect(p.s.write(late)).toBe(late.length);
    expect(equalBytes(deliver(p.s, p.c), late)).toBe(true);
    p.dispose();
  });

  it('writeEx2(empty, CONCLUDE) just concludes', () => {
    const p = connected(ed());
    expect(p.c.writeEx2(new Uint8Array(0), SSL_WRITE_FLAG_CONCLUDE)).toEqual({ ok: true, written: 0 });
    const out = p.c.network.read();
    expect(records(out).length).toBe(1);
    p.s.network.write(out);
    const r = readAll(p.s);
    expect(r.data.length).toBe(0);
    expect(r.stop).toBe('ZERO_RETURN');
    p.dispose();
  });

  it('a partial write is not concluded', () => {
    const p = connected(ed(), BIG_OUT);
    p.c.setMode(SSL_MODE_ENABLE_PARTIAL_WRITE);
    const data = pattern(30_000, 8);
    const r1 = p.c.writeEx2(data, SSL_WRITE_FLAG_CONCLUDE);
    expect(r1).toEqual({ ok: true, written: 16384 });
    expect(p.c.getShutdown() & 1).toBe(0);
    const r2 = p.c.writeEx2(data.subarray(16384), SSL_WRITE_FLAG_CONCLUDE);
    expect(r2).toEqual({ ok: true, written: 30_000 - 16384 });
    expect(p.c.getShutdown() & 1).toBe(1);
    exchange(p.c, p.s);
    const r = readAll(p.s);
    expect(equalBytes(r.data, data)).toBe(true);
    expect(r.stop).toBe('ZERO_RETURN');
    p.dispose();
  });

  it('CONCLUDE under WANT_WRITE: concluded only when all data is out', () => {
    const p = connected(ed());
    p.c.network.setCap(300);
    const data = pattern(5000, 9);
    let r = p.c.writeEx2(data, SSL_WRITE_FLAG_CONCLUDE);
    const got: Uint8Array[] = [];
    while (!r.ok) {
      expect(p.c.getError(false)).toBe('WANT_WRITE');
      transfer(p.c, p.s, 300);
      got.push(readAll(p.s).data);
      r = p.c.writeEx2(data, SSL_WRITE_FLAG_CONCLUDE);
    }
    expect(r.written).toBe(5000);
    transfer(p.c, p.s);
    const last = readAll(p.s);
    got.push(last.data);
    expect(last.stop).toBe('ZERO_RETURN');
    expect(equalBytes(concat(got), data)).toBe(true);
    p.dispose();
  });
});

describe('rule 9: return values and getError', () => {
  it('ZERO_RETURN on close_notify (read returns 0); shutdown 0 then 1', () => {
    const p = connected(ed());
    expect(p.c.shutdown()).toBe(0);
    transfer(p.c, p.s);
    const buf = new Uint8Array(100);
    expect(p.s.read(buf)).toBe(0);
    expect(p.s.getError(0)).toBe('ZERO_RETURN');
    expect(p.c.shutdown()).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_READ');
    expect(p.s.shutdown()).toBe(1); // its close_notify goes out; the peer's already came
    transfer(p.s, p.c);
    expect(p.c.shutdown()).toBe(1);
    expect(p.c.getShutdown()).toBe(3);
    p.dispose();
  });

  it('SYSCALL when the transport ends without close_notify (truncation)', () => {
    const p = connected(ed());
    expect(p.c.write(enc('partial'))).toBe(7);
    transfer(p.c, p.s);
    p.s.network.end();
    const buf = new Uint8Array(100);
    expect(p.s.read(buf)).toBe(7); // what arrived is still delivered
    expect(p.s.read(buf)).toBe(-1);
    expect(p.s.getError(-1)).toBe('SYSCALL');
    expect(p.s.error!.engineCode).toBe(TLS_ERR.UNEXPECTED_EOF);
    expect(p.s.error!.reason).toMatch(/without close_notify/);
    p.dispose();
  });

  it('SSL with code, reason and alert on both sides (bad record MAC)', () => {
    const p = connected(ed());
    expect(p.c.write(enc('hello'))).toBe(5);
    const rec = p.c.network.read();
    rec[rec.length - 3] ^= 0x40;
    p.s.network.write(rec);
    const buf = new Uint8Array(100);
    expect(p.s.read(buf)).toBe(-1);
    expect(p.s.getError(-1)).toBe('SSL');
    const e = p.s.error!;
    expect(e.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.bad_record_mac);
    expect(e.alert).toBe(ALERT.bad_record_mac);
    expect(e.alertDirection).toBe('sent');
    expect(e.reasonCode).toBe(TLS_ERR.BAD_RECORD_MAC);
    expect(e.reason).toBe('record authentication failed');
    expect(e.message).toMatch(/sent fatal alert: bad_record_mac \(record authentication failed\)/);
    transfer(p.s, p.c);
    expect(p.c.read(buf)).toBe(-1);
    expect(p.c.getError(-1)).toBe('SSL');
    const f = p.c.error!;
    expect(f.engineCode).toBe(TLS_ERR.RECV_ALERT + ALERT.bad_record_mac);
    expect(f.alert).toBe(ALERT.bad_record_mac);
    expect(f.alertDirection).toBe('received');
    expect(f.reason).toBe('received fatal alert: bad_record_mac');
    p.dispose();
  });

  it('write returns the count, writeEx 1/0 as ok, getError(ret > 0) is NONE', () => {
    const p = connected(ed());
    const r = p.c.write(enc('abc'));
    expect(r).toBe(3);
    expect(p.c.getError(r)).toBe('NONE');
    expect(p.c.getError(true)).toBe('NONE');
    expect(p.c.writeEx(enc('de'))).toEqual({ ok: true, written: 2 });
    transfer(p.c, p.s);
    const buf = new Uint8Array(2);
    expect(p.s.read(buf)).toBe(2); // at most buf.length
    expect(p.s.peek(10).data).toEqual(enc('cde'.slice(0, 1)));
    expect(p.s.pending()).toBe(1);
    expect(p.s.readEx(10).data).toEqual(enc('c'));
    expect(p.s.readEx(10).data).toEqual(enc('de'));
    p.dispose();
  });
});

describe('rule 10: the first fatal error sticks', () => {
  it('every call returns it; nothing further is sent but the alert', () => {
    const p = connected(ed());
    expect(p.c.write(enc('hello'))).toBe(5);
    const rec = p.c.network.read();
    rec[0] = 0x19; // unknown content type
    p.s.network.write(rec);
    expect(p.s.readEx().ok).toBe(false);
    const code = TLS_ERR.SEND_ALERT + ALERT.unexpected_message;
    expect(p.s.error!.engineCode).toBe(code);
    const alert = p.s.network.read();
    expect(records(alert)).toEqual([[23, 2 + 1 + 16]]); // one protected alert record
    for (const call of [
      () => p.s.write(enc('x')),
      () => p.s.readEx().ok,
      () => p.s.doHandshake(),
      () => p.s.shutdown(),
      () => p.s.writeEx2(enc('y'), SSL_WRITE_FLAG_CONCLUDE).ok,
      () => p.s.peek().ok,
    ]) {
      const r = call();
      expect(r === false || (typeof r === 'number' && r <= 0)).toBe(true);
      expect(p.s.getError(typeof r === 'number' ? r : false)).toBe('SSL');
      expect(p.s.error!.engineCode).toBe(code);
      expect(p.s.network.pending()).toBe(0);
    }
    expect(p.s.keyUpdate(false)).toBe(false);
    expect(p.s.network.pending()).toBe(0);
    p.dispose();
  });
});

describe('rule 11: sendStream (SSL_sendfile analog)', () => {
  const DATA = pattern(150_000, 11);
  const chunks = (d: Uint8Array, sizes: number[]) => {
    const out: Uint8Array[] = [];
    for (let off = 0, i = 0; off < d.length; i++) {
      const n = sizes[i % sizes.length];
      out.push(d.slice(off, off + n));
      off += n;
    }
    return out;
  };

  async function streamed(src: () => Parameters<Connection['sendStream']>[0], cap?: number) {
    const p = connected(ed());
    if (cap) p.c.network.setCap(cap);
    const got: Uint8Array[] = [];
    const n = await p.c.sendStream(src(), {
      onWant: () => {
        transfer(p.c, p.s, cap);
        got.push(readAll(p.s).data);
      },
    });
    got.push(deliver(p.c, p.s));
    p.dispose();
    return { n, got: concat(got) };
  }

  it('from a ReadableStream, chunks of odd sizes', async () => {
    const parts = chunks(DATA, [1, 7000, 40_000, 16384, 3]);
    const r = await streamed(
      () =>
        new ReadableStream<Uint8Array>({
          start(ctl) {
            for (const c of parts) ctl.enqueue(c);
            ctl.close();
          },
        }),
    );
    expect(r.n).toBe(DATA.length);
    expect(equalBytes(r.got, DATA)).toBe(true);
  });

  it('from a Blob, through a 1000-byte outgoing side', async () => {
    const r = await streamed(() => new Blob([DATA]), 1000);
    expect(r.n).toBe(DATA.length);
    expect(equalBytes(r.got, DATA)).toBe(true);
  });

  it('from an async generator and from an array', async () => {
    const parts = chunks(DATA, [30_000, 5, 12_345]);
    const r1 = await streamed(() =>
      (async function* () {
        for (const c of parts) yield c;
      })(),
    );
    expect(r1.n).toBe(DATA.length);
    expect(equalBytes(r1.got, DATA)).toBe(true);
    const r2 = await streamed(() => parts, 2000);
    expect(equalBytes(r2.got, DATA)).toBe(true);
  });

  it('empty source: 0; same return conventions without onWant (repeat with the same source)', async () => {
    const p = connected(ed());
    expect(await p.c.sendStream([])).toBe(0);
    p.c.network.setCap(500);
    const src = chunks(DATA, [20_000]);
    const got: Uint8Array[] = [];
    let r = await p.c.sendStream(src);
    let repeats = 0;
    while (r < 0) {
      expect(p.c.getError(r)).toBe('WANT_WRITE');
      // Another source while this one is pending: a bad write retry.
      await expect(p.c.sendStream([new Uint8Array(1)])).rejects.toMatchObject({ engineCode: TLS_ERR.BAD_WRITE_RETRY });
      // So is a plain write in between.
      expect(() => p.c.write(enc('x'))).toThrow(/sendStream is pending/);
      transfer(p.c, p.s, 500);
      got.push(readAll(p.s).data);
      r = await p.c.sendStream(src);
      repeats++;
    }
    expect(r).toBe(DATA.length);
    expect(repeats).toBeGreaterThan(200);
    got.push(deliver(p.c, p.s));
    expect(equalBytes(concat(got), DATA)).toBe(true);
    p.dispose();
  });

  it('runs the handshake too, and fails like a write on a fatal error', async () => {
    const p = makePair(ed());
    const n = await p.c.sendStream([enc('early')], {
      onWant: () => {
        exchange(p.c, p.s);
        p.s.doHandshake();
        exchange(p.c, p.s);
      },
    });
    expect(n).toBe(5);
    expect(deliver(p.c, p.s)).toEqual(enc('early'));
    const bad = new Uint8Array(25);
    bad.set([23, 3, 3, 0, 20]);
    p.c.network.write(bad); // a record that fails authentication
    expect(await p.c.sendStream([enc('x')])).toBe(-1);
    expect(p.c.getError(-1)).toBe('SSL');
    expect(p.c.error!.alert).toBe(ALERT.bad_record_mac);
    p.dispose();
  });
});

describe('modes', () => {
  it('AUTO_RETRY off: a read that only processed a handshake record reports WANT_READ', () => {
    const p = connected(ed());
    p.c.clearMode(SSL_MODE_AUTO_RETRY);
    p.s.keyUpdate(false);
    expect(p.s.write(enc('after KU'))).toBe(8);
    transfer(p.s, p.c);
    expect(p.c.readEx().ok).toBe(false);
    expect(p.c.getError(false)).toBe('WANT_READ');
    expect(p.c.readEx().data).toEqual(enc('after KU'));
    // With AUTO_RETRY (the default) the same read returns the data at once.
    p.c.setMode(SSL_MODE_AUTO_RETRY);
    p.s.keyUpdate(false);
    p.s.write(enc('again'));
    transfer(p.s, p.c);
    expect(p.c.readEx().data).toEqual(enc('again'));
    p.dispose();
  });

  it('RELEASE_BUFFERS: an idle connection gives its buffers back and gets them again', () => {
    const p = connected(ed(), BIG_OUT, BIG_OUT);
    expect(p.c.hasBuffers).toBe(true);
    p.c.setMode(SSL_MODE_RELEASE_BUFFERS);
    expect(p.c.hasBuffers).toBe(false);
    expect(p.c.network.pending()).toBe(0);
    for (let i = 0; i < 3; i++) {
      const d = pattern(20_000, 20 + i);
      expect(p.s.write(d)).toBe(d.length);
      transfer(p.s, p.c);
      expect(p.c.hasBuffers).toBe(true);
      expect(equalBytes(readAll(p.c).data, d)).toBe(true);
      expect(p.c.hasBuffers).toBe(false);
      expect(p.c.write(d)).toBe(d.length);
      expect(p.c.hasBuffers).toBe(true); // ciphertext waits to be sent
      expect(equalBytes(deliver(p.c, p.s), d)).toBe(true);
      expect(p.c.hasBuffers).toBe(false);
    }
    p.dispose();
  });
});

describe('verification policy', () => {
  it("'chain' without a callback: the engine's verdict stands, and the peer's chain is kept", () => {
    const p = makePair(ed(), { verify: 'chain', ca: ed().certPem });
    p.c.setServerName('localhost');
    handshake(p.c, p.s); // synchronous: no WANT_RETRY_VERIFY reaches the caller
    expect(p.c.verifyCode).toBe(0);
    expect(p.c.peerCertificates?.length).toBe(1);
    expect(equalBytes(p.c.peerCertificates![0], ed().certDer)).toBe(true);
    p.dispose();
    // Another anchor: refused with the validator's own alert (the C
    // table's, wt_x509_err_alert) for the reason CERT_REJECTED.
    const q = makePair(ed(), { verify: 'chain', ca: certs.server['ecdsa-p256'].certPem });
    q.c.setServerName('localhost');
    expect(() => handshake(q.c, q.s)).toThrow(TLSError);
    expect(q.c.verifyCode).toBeLessThan(0);
    expect(q.c.error!.alert).toBe(wasm().exports.wt_x_x509_err_alert(q.c.verifyCode));
    expect(q.c.error!.reasonCode).toBe(TLS_ERR.CERT_REJECTED);
    expect(q.c.verifyError).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    q.dispose();
  });

  it("'external' with a synchronous callback: sees the chain, accepts", () => {
    const seen: Uint8Array[][] = [];
    const p = makePair(ed(), { verify: 'external', onVerify: (chain) => (seen.push(chain), 0) });
    handshake(p.c, p.s);
    expect(seen.length).toBe(1);
    expect(seen[0].length).toBe(1);
    expect(equalBytes(seen[0][0], ed().certDer)).toBe(true);
    expect(equalBytes(p.c.peerCertificates![0], ed().certDer)).toBe(true);
    expect(p.c.peerAuthenticated).toBe(true);
    p.dispose();
  });

  it("'external' refusing with unknown_ca: alert sent and received", () => {
    const p = makePair(ed(), { verify: 'external', onVerify: () => ALERT.unknown_ca });
    expect(() => handshake(p.c, p.s)).toThrow(TLSError);
    expect(p.c.error!.engineCode).toBe(TLS_ERR.SEND_ALERT + ALERT.unknown_ca);
    expect(p.c.error!.reasonCode).toBe(TLS_ERR.CERT_REJECTED);
    expect(p.s.readEx().ok).toBe(false);
    expect(p.s.error!.engineCode).toBe(TLS_ERR.RECV_ALERT + ALERT.unknown_ca);
    p.dispose();
  });

  it("'external' asynchronous: WANT_RETRY_VERIFY until the promise settles", async () => {
    let release!: (a: number) => void;
    const p = makePair(ed(), { verify: 'external', onVerify: () => new Promise<number>((r) => (release = r)) });
    expect(p.c.doHandshake()).toBe(-1);
    transfer(p.c, p.s);
    expect(p.s.doHandshake()).toBe(-1);
    transfer(p.s, p.c);
    expect(p.c.doHandshake()).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_RETRY_VERIFY');
    expect(p.c.verifyPending).toBeInstanceOf(Promise);
    expect(p.c.peerCertificates![0]).toEqual(ed().certDer);
    expect(p.c.doHandshake()).toBe(-1);
    expect(p.c.getError(-1)).toBe('WANT_RETRY_VERIFY');
    release(0);
    await p.c.verifyPending;
    await handshakeAsync(p.c, p.s);
    expect(p.c.isInitFinished).toBe(true);
    p.dispose();
  });

  it('a throwing or rejecting verifier refuses with certificate_unknown', async () => {
    const p = makePair(ed(), {
      verify: 'external',
      onVerify: () => {
        throw new Error('boom');
      },
    });
    expect(() => handshake(p.c, p.s)).toThrow(TLSError);
    expect(p.c.error!.alert).toBe(ALERT.certificate_unknown);
    p.dispose();
    const q = makePair(ed(), { verify: 'external', onVerify: () => Promise.reject(new Error('no')) });
    await expect(handshakeAsync(q.c, q.s)).rejects.toBeInstanceOf(TLSError);
    expect(q.c.error!.alert).toBe(ALERT.certificate_unknown);
    q.dispose();
  });
});

describe('configuration and lifetime', () => {
  it('PEM and DER forms of certificates and keys (PKCS #8, SEC 1, PKCS #1)', () => {
    const ec = certs.server['ecdsa-p256'],
      rsa = certs.server.rsa2048;
    const sec1 = createPrivateKey(ec.keyPem).export({ format: 'pem', type: 'sec1' }) as string;
    const pkcs1 = createPrivateKey(rsa.keyPem).export({ format: 'der', type: 'pkcs1' });
    const cases: [string, () => TLSContext][] = [
      ['DER list + PKCS#8 DER', () => new TLSContext({ cert: [ec.certDer], key: ec.keyDer })],
      ['one DER + SEC 1 PEM', () => new TLSContext({ cert: ec.certDer, key: sec1 })],
      ['PEM bytes + PKCS#1 DER', () => new TLSContext({ cert: enc(rsa.certPem), key: new Uint8Array(pkcs1) })],
    ];
    for (const [what, mk] of cases) {
      const sctx = mk();
      const cctx = new TLSContext({ verify: 'insecure-no-chain-validation' });
      const c = new Connection(cctx),
        s = new Connection(sctx);
      c.setConnectState();
      s.setAcceptState();
      handshake(c, s);
      expect(c.peerAuthenticated, what).toBe(true);
      for (const x of [c, s, cctx, sctx]) x.dispose();
    }
    expect(pemDecode(ec.certPem)[0].der).toEqual(ec.certDer);
    expect(() => new TLSContext({ cert: '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n' })).toThrow(/base64/);
    expect(() => new TLSContext({ key: 'not a key' })).toThrow(/PEM/);
    expect(() => new TLSContext({ key: new Uint8Array([0x30, 0x03, 2, 1, 0]) })).toThrow(TLSError);
  });

  it('bad settings are refused', () => {
    expect(() => new TLSContext({ suites: ['TLS_AES_128_CCM_SHA256' as never] })).toThrow(TypeError);
    expect(() => new TLSContext({ groups: [0x9999] })).toThrow(TLSError);
    expect(() => new TLSContext({ groups: [] })).toThrow(TypeError);
    expect(() => new TLSContext({ sigalgs: [0x0201] })).toThrow(TLSError); // rsa_pkcs1_sha1: never
    // PKCS#1 v1.5 SHA-256: a TLS 1.2 scheme (never a TLS 1.3 CertificateVerify's)
    expect(new TLSContext({ sigalgs: ['ecdsa_secp256r1_sha256', 0x0401] })).toBeInstanceOf(TLSContext);
    expect(() => new TLSContext({ recordSizeLimit: 63 })).toThrow(TLSError);
    expect(() => new TLSContext({ ticketKey: new Uint8Array(16) })).toThrow(RangeError);
    expect(() => new TLSContext({ alpn: [''] })).toThrow(RangeError);
    expect(() => new TLSContext({ bufferSizes: { netIn: 1000 } })).toThrow(TLSError);
    expect(new TLSContext({ groups: ['X25519', 'P-256', 'P-384', 'x25519mlkem768'] })).toBeInstanceOf(TLSContext);
  });

  it('no wasm memory growth over many connections', () => {
    const mem = () => wasm().exports.memory.buffer.byteLength;
    const cycle = (i: number) => {
      const p = connected(ed(), BIG_OUT, { ticketKey: new Uint8Array(32), tickets: 1 });
      const d = pattern(50_000, i);
      expect(p.c.write(d)).toBe(d.length);
      expect(equalBytes(deliver(p.c, p.s), d)).toBe(true);
      expect(p.c.getSession()).toBeDefined();
      p.dispose();
    };
    for (let i = 0; i < 5; i++) cycle(i);
    const before = mem();
    for (let i = 0; i < 100; i++) cycle(i);
    expect(mem()).toBe(before);
  });

  it('dispose: a context outlives its connections; use after dispose throws', () => {
    const p = connected(ed());
    p.cctx.dispose();
    p.sctx.dispose();
    expect(() => new Connection(p.cctx)).toThrow(/after dispose/);
    expect(p.c.write(enc('still fine'))).toBe(10);
    expect(deliver(p.c, p.s)).toEqual(enc('still fine'));
    p.c.dispose();
    p.s.dispose();
    expect(() => p.c.write(enc('x'))).toThrow(/after dispose/);
    p.c.dispose(); // idempotent
  });
});

describe('error codes', () => {
  it('TLS_ERR names exactly the local codes the C table has text for', () => {
    const w = wasm();
    const text = (code: number) => {
      const p = w.exports.wt_x_tls_err_string(code);
      const u = w.u8();
      let e = p;
      while (u[e]) e++;
      return new TextDecoder().decode(u.subarray(p, e));
    };
    const inC: number[] = [];
    for (let code = 1; code < 0x100; code++) if (text(code) !== 'unknown error') inC.push(code);
    const named = Object.values(TLS_ERR)
      .filter((v) => v < 0x100)
      .sort((a, b) => a - b);
    expect(named).toEqual(inC);
  });
});
