/**
 * An in-memory client <-> server pair of Connections for the TLS tests,
 * and small helpers to read what a side has, compare bytes, and parse
 * record headers.
 */
import { Connection, TLSContext, type TLSContextOptions } from '../../ts/core/connection.js';
import { exchange, handshake, transfer } from '../../ts/core/pump.js';
import type { CertKey } from './tls-certs.js';

export interface Pair {
  cctx: TLSContext;
  sctx: TLSContext;
  c: Connection;
  s: Connection;
  dispose(): void;
}

/** Contexts (server: the given certificate; client: insecure policy unless
 * told otherwise) and two connections in connect / accept state. */
export function makePair(cert: CertKey, client: TLSContextOptions = {}, server: TLSContextOptions = {}): Pair {
  const cctx = new TLSContext({ verify: 'insecure-no-chain-validation', ...client });
  const sctx = new TLSContext({ cert: cert.certPem, key: cert.keyPem, ...server });
  const c = new Connection(cctx),
    s = new Connection(sctx);
  c.setConnectState();
  s.setAcceptState();
  return {
    cctx,
    sctx,
    c,
    s,
    dispose() {
      c.dispose();
      s.dispose();
      cctx.dispose();
      sctx.dispose();
    },
  };
}

/** A pair with the handshake done. */
export function connected(cert: CertKey, client: TLSContextOptions = {}, server: TLSContextOptions = {}): Pair {
  const p = makePair(cert, client, server);
  handshake(p.c, p.s);
  return p;
}

/** Read everything `conn` can return now (until it wants more input);
 * returns the bytes and the error name that stopped it. */
export function readAll(conn: Connection): { data: Uint8Array; stop: string } {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const r = conn.readEx();
    if (!r.ok) {
      const out = new Uint8Array(n);
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return { data: out, stop: conn.getError(false) };
    }
    parts.push(r.data);
    n += r.data.length;
  }
}

/** Move ciphertext from a to b and read everything b gets, in rounds
 * while b's incoming side fills up. */
export function deliver(a: Connection, b: Connection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (;;) {
    const moved = exchange(a, b);
    const got = readAll(b).data;
    if (got.length) parts.push(got);
    if (moved === 0 && got.length === 0) return concat(parts);
  }
}

/** Options giving a context a large outgoing side (writes of many records
 * complete in one call). */
export const BIG_OUT = { bufferSizes: { netOut: 1 << 18 } };

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Deterministic test data (not random: failures reproduce). */
export function pattern(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Record headers of a run of TLS records: [content type, length]. */
export function records(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i + 5 <= bytes.length; ) {
    const len = (bytes[i + 3] << 8) | bytes[i + 4];
    out.push([bytes[i], len]);
    i += 5 + len;
  }
  return out;
}

export { exchange, handshake, transfer };
