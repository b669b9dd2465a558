/**
 * The engine's zlib decoder (crypto-src/codec/inflate.c, RFC 1950/1951)
 * against node:zlib: every level of deflateSync over random, repetitive
 * and certificate-like data must come back byte for byte; mutated
 * streams must be decoded to the same bytes or refused exactly where
 * zlib refuses; and the refusals the certificate use needs (output past
 * or short of the announced length, FDICT, bad header, bad Adler-32,
 * trailing bytes, truncation) come from typed-in edge streams.
 */
import { readFileSync } from 'node:fs';
import { constants, deflateRawSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { wasm } from '../ts/core/loader.js';
import { useBuild } from './helpers/env.js';
import { pattern } from './helpers/tls-pair.js';

useBuild('simd');

const OK = 0,
  HEADER = -1,
  DICT = -2,
  TRUNCATED = -3,
  DATA = -4,
  OVERFLOW = -5,
  SHORT = -6,
  CHECK = -7,
  TRAILING = -8;

/** Ours: { code, out } for in decoded into exactly outlen bytes. */
function ours(input: Uint8Array, outlen: number): { code: number; out: Uint8Array } {
  const w = wasm();
  const pi = w.exports.malloc(Math.max(1, input.length));
  const po = w.exports.malloc(Math.max(1, outlen));
  try {
    w.u8().set(input, pi);
    const code = w.exports.wt_x_zlib_inflate(pi, input.length, po, outlen);
    return { code, out: w.u8().slice(po, po + outlen) };
  } finally {
    w.exports.free(pi);
    w.exports.free(po);
  }
}

/** node:zlib's verdict on a raw DEFLATE stream: the bytes and how much
 * input the stream took, or undefined when zlib refuses it. */
function zlibRaw(raw: Uint8Array): { out: Buffer; used: number } | undefined {
  try {
    // Z_FINISH (the default): a stream that does not end is an error.
    const r = inflateRawSync(raw, { info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    return { out: r.buffer, used: r.engine.bytesWritten };
  } catch {
    return undefined;
  }
}

/** RFC 1950 8.2 (written out: node:zlib exports no adler32 in Node 20). */
const adler = (b: Uint8Array) => {
  let a = 1,
    c = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    c = (c + a) % 65521;
  }
  const v = (c << 16) | a;
  return Buffer.from([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
};

function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [new Uint8Array(0), new Uint8Array([0x41])];
  let seed = 1;
  for (const n of [10, 300, 5000, 70_000]) out.push(pattern(n, seed++)); // incompressible
  for (const n of [100, 5000, 70_000]) {
    const b = pattern(n, seed++);
    for (let i = 0; i < n; i++) b[i] = 97 + ((b[i] ?? 0) % 4); // small alphabet: dynamic codes
    out.push(b);
  }
  out.push(new Uint8Array(100_000).fill(7)); // long matches, distance 1
  const roots = readFileSync('/etc/ssl/certs/ca-certificates.crt');
  out.push(roots.subarray(0, 8000), roots.subarray(0, 60_000)); // certificate-like text
  return out;
}

describe('zlib decoder vs node:zlib', () => {
  it('deflateSync at every level and strategy: the same bytes back', () => {
    let n = 0;
    for (const data of corpus()) {
      for (let level = 0; level <= 9; level++) {
        for (const strategy of [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE]) {
          const z = deflateSync(data, { level, strategy });
          const r = ours(z, data.length);
          expect(r.code).toBe(OK);
          expect(Buffer.from(r.out).equals(Buffer.from(data))).toBe(true);
          // One byte less room, or one more expected: refused.
          if (data.length > 0) expect(ours(z, data.length - 1).code).toBe(OVERFLOW);
          expect(ours(z, data.length + 1).code).toBe(SHORT);
          n++;
        }
      }
    }
    expect(n).toBe(corpus().length * 40);
  });

  it('mutated DEFLATE streams: decoded as zlib decodes them, or refused where zlib refuses', () => {
    let seed = 0x9e3779b9;
    const rnd = (m: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % m;
    };
    let accepted = 0,
      refused = 0;
    const data = corpus();
    for (let it = 0; it < 3000; it++) {
      const src = data[rnd(data.length)] ?? new Uint8Array(0);
      const raw = Buffer.from(deflateRawSync(src.subarray(0, 6000), { level: rnd(10) }));
      const flips = 1 + rnd(3);
      for (let f = 0; f < flips && raw.length; f++) {
        // Mostly in the block headers and code tables at the front.
        const i = rnd(4) ? rnd(Math.min(raw.length, 48)) : rnd(raw.length);
        raw[i] = (raw[i] ?? 0) ^ (1 << rnd(8));
      }
      // Both decoders see the same bits: the mutated stream and four zero
      // bytes (where a zlib frame's Adler-32 would be), which a stream
      // that did not end may go on reading.
      const bits = Buffer.concat([raw, Buffer.alloc(4)]);
      const z = zlibRaw(bits);
      if (z) {
        // zlib ended the stream after z.used bytes: frame exactly those.
        const stream = Buffer.concat([Buffer.from([0x78, 0x9c]), bits.subarray(0, z.used), adler(z.out)]);
        const r = ours(stream, z.out.length);
        expect(r.code).toBe(OK);
        expect(Buffer.from(r.out).equals(z.out)).toBe(true);
        accepted++;
      } else {
        // zlib refused: so must we, whatever room we are given, and in
        // the stream itself (not by a failed check).
        const r = ours(Buffer.concat([Buffer.from([0x78, 0x9c]), bits]), 1 << 20);
        expect([DATA, TRUNCATED]).toContain(r.code);
        refused++;
      }
    }
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  });
});

describe('zlib decoder: typed-in edge streams', () => {
  const hello = Buffer.from('hello, world');
  const z = deflateSync(hello);
  const cases: [string, Uint8Array, number, number][] = [
    ['empty input', new Uint8Array(0), 0, TRUNCATED],
    ['header only', z.subarray(0, 2), hello.length, TRUNCATED],
    ['CM 7 (not deflate)', Buffer.from([0x77, 0x9c ^ 0, ...z.subarray(2)]), hello.length, HEADER],
    ['CINFO 8 (window over 32 KiB)', Buffer.from([0x88, 0x98, ...z.subarray(2)]), hello.length, HEADER],
    ['FCHECK wrong', Buffer.from([0x78, 0x9d, ...z.subarray(2)]), hello.length, HEADER],
    ['FDICT set', deflateSync(hello, { dictionary: Buffer.from('hello') }), hello.length, DICT],
    ['Adler-32 wrong', Buffer.from([...z.subarray(0, z.length - 1), (z[z.length - 1] ?? 0) ^ 0x80]), hello.length, CHECK],
    ['Adler-32 cut short', z.subarray(0, z.length - 1), hello.length, TRUNCATED],
    ['a byte after the Adler-32', Buffer.from([...z, 0]), hello.length, TRAILING],
    ['a second zlib stream after the first', Buffer.concat([z, z]), hello.length, TRAILING],
    // BFINAL 1, BTYPE 3 (reserved).
    ['block type 3', Buffer.from([0x78, 0x01, 0x07, 0, 0, 0, 1]), 0, DATA],
    // Stored block: LEN 5, NLEN not its complement.
    ['stored LEN/NLEN mismatch', Buffer.from([0x78, 0x01, 0x01, 5, 0, 0xfa, 0xfe, 1, 2, 3, 4, 5]), 5, DATA],
    ['stored block cut short', Buffer.from([0x78, 0x01, 0x01, 5, 0, 0xfa, 0xff, 1, 2]), 5, TRUNCATED],
    // Stored empty final block, then Adler-32 of nothing (1).
    ['an empty stream', Buffer.from([0x78, 0x01, 0x01, 0, 0, 0xff, 0xff, 0, 0, 0, 1]), 0, OK],
    // Fixed block whose first symbol is a match: distance before the start.
    ['distance before the first byte', Buffer.from([0x78, 0x01, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01]), 3, DATA],
    // A million zeros in a few hundred bytes, announced as 100: stops at 100.
    ['bomb into a small buffer', deflateSync(Buffer.alloc(1 << 20)), 100, OVERFLOW],
  ];
  for (const [what, input, outlen, want] of cases) {
    it(`${what}: ${want}`, () => {
      const before = wasm().memoryUsage().used;
      expect(ours(input, outlen).code).toBe(want);
      expect(wasm().memoryUsage().used).toBe(before);
    });
  }
  it('node:zlib agrees on each refusal of the typed-in streams', () => {
    for (const [what, input, , want] of cases) {
      if (want === OK || want === OVERFLOW || want === TRAILING) continue;
      let threw = false;
      try {
        inflateSync(input);
      } catch {
        threw = true;
      }
      expect([what, threw]).toEqual([what, true]);
    }
  });
});
