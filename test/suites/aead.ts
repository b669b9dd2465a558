/**
 * AEADs in both builds: RFC 8439 known answers typed here, Wycheproof
 * vectors with every verdict checked, a differential run against
 * node:crypto in both directions, tampering, and argument errors.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Aead, AeadError, type AeadName } from '../../ts/core/aead.js';
import { wasm } from '../../ts/core/loader.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type AeadTest = {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
};

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (a: Uint8Array, b: Uint8Array) => {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
};

/** Algorithms under test, with node:crypto's name and the key length. */
const ALGS: [AeadName, string, number][] = [
  ['CHACHA20-POLY1305', 'chacha20-poly1305', 32],
  ['AES-128-GCM', 'aes-128-gcm', 16],
  ['AES-192-GCM', 'aes-192-gcm', 24],
  ['AES-256-GCM', 'aes-256-gcm', 32],
];
const isGcm = (name: AeadName) => name !== 'CHACHA20-POLY1305';

function nodeSeal(alg: string, key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv(alg as 'chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return cat(ct, c.getAuthTag());
}

function nodeOpen(alg: string, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const d = createDecipheriv(alg as 'chacha20-poly1305', key, nonce, { authTagLength: 16 });
  d.setAAD(aad, { plaintextLength: sealed.length - 16 });
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]));
}

/** Defines the suite for one build; test/aead.<build>.test.ts call it. */
export function aeadSuite(build: Build): void {
  useBuild(build);
  describe(`AEAD (${build} build)`, () => {
    it('RFC 8439 section 2.8.2: AEAD_CHACHA20_POLY1305 seal', () => {
      const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
      const nonce = hex('070000004041424344454647');
      const aad = hex('50515253c0c1c2c3c4c5c6c7');
      const pt = enc("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
      const ct =
        'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
        '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
        '3ff4def08e4b7a9de576d26586cec64b6116';
      const tag = '1ae10b594f09e26a7e902ecbd0600691';
      const a = new Aead('CHACHA20-POLY1305', key);
      const sealed = a.seal(nonce, pt, aad);
      expect(toHex(sealed)).toBe(ct + tag);
      expect(toHex(a.open(nonce, sealed, aad))).toBe(toHex(pt));
      a.dispose();
    });

    it('RFC 8439 Appendix A.5: AEAD_CHACHA20_POLY1305 open', () => {
      const key = hex('1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0');
      const ct = hex(
        '64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0' +
          'bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855' +
          '9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9' +
          '9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a' +
          '0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130' +
          '305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b',
      );
      const nonce = hex('000000000102030405060708');
      const aad = hex('f33388860000000000004e91');
      const tag = hex('eead9d67890cbb22392336fea1851f38');
      const a = new Aead('CHACHA20-POLY1305', key);
      const pt = a.open(nonce, cat(ct, tag), aad);
      expect(new TextDecoder().decode(pt)).toBe(
        'Internet-Drafts are draft documents valid for a maximum of six months and may be updated, ' +
          'replaced, or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts ' +
          'as reference material or to cite them other than as /\u201cwork in progress./\u201d',
      );
      expect(toHex(a.seal(nonce, pt, aad))).toBe(toHex(cat(ct, tag)));
      a.dispose();
    });

    for (const [name, nodeName, klen] of ALGS) {
      it(`${name}: differential against node:crypto, lengths 0..70,000, both directions`, () => {
        let n = 0;
        for (let i = 0; i < 400; i++) {
          // Every length 0..200 (tails of all sizes), then random ones,
          // and a few at the top of the range.
          const len = i <= 200 ? i : i < 390 ? randomInt(0, 70_001) : 70_000 - (i - 390);
          const key = randomBytes(klen);
          // GCM takes any non-empty IV; TLS uses 12 bytes, so most are 12.
          const nonce = randomBytes(isGcm(name) && i % 5 === 1 ? randomInt(1, 65) : 12);
          const aad = randomBytes(i % 7 === 0 ? 0 : randomInt(0, 300));
          const pt = randomBytes(len);
          const a = new Aead(name, key);
          // we seal, Node opens
          const sealed = a.seal(nonce, pt, aad);
          expect(sealed.length).toBe(len + 16);
          expect(toHex(nodeOpen(nodeName, key, nonce, sealed, aad)), `${name} len ${len}`).toBe(toHex(pt));
          // Node seals, we open
          const theirs = nodeSeal(nodeName, key, nonce, pt, aad);
          expect(toHex(theirs)).toBe(toHex(sealed));
          expect(toHex(a.open(nonce, theirs, aad))).toBe(toHex(pt));
          a.dispose();
          n++;
        }
        expect(n).toBe(400);
      });

      it(`${name}: every single-bit change of tag, AAD or ciphertext is refused, nothing released`, () => {
        const key = randomBytes(klen);
        const a = new Aead(name, key);
        let refused = 0;
        for (const len of [0, 1, 15, 16, 17, 64, 129, 300]) {
          const nonce = randomBytes(12);
          const aad = randomBytes(len % 2 ? 13 : 0);
          const pt = randomBytes(len);
          const sealed = a.seal(nonce, pt, aad);
          for (const [what, buf] of [
            ['sealed', sealed],
            ['aad', aad],
            ['nonce', nonce],
          ] as const) {
            for (let bit = 0; bit < buf.length * 8; bit++) {
              buf[bit >> 3] ^= 1 << (bit & 7);
              let got: Uint8Array | undefined;
              let err: unknown;
              try {
                got = a.open(nonce, sealed, aad);
              } catch (e) {
                err = e;
              }
              buf[bit >> 3] ^= 1 << (bit & 7);
              expect(got, `${what} bit ${bit} len ${len}`).toBeUndefined();
              expect(err).toBeInstanceOf(AeadError);
              expect((err as AeadError).code).toBe('tag mismatch');
              refused++;
            }
          }
          expect(toHex(a.open(nonce, sealed, aad))).toBe(toHex(pt)); // unchanged again: accepted
        }
        expect(refused).toBe(6544); // 8 * (ciphertext + tag + AAD + nonce bytes) over the lengths
        a.dispose();
      });
    }

    it('seal and open into a caller buffer give the same bytes, without allocating a result', () => {
      const a = new Aead('CHACHA20-POLY1305', randomBytes(32));
      const nonce = randomBytes(12),
        aad = randomBytes(9),
        pt = randomBytes(1000);
      const buf = new Uint8Array(2000).fill(0x5a);
      const sealed = a.seal(nonce, pt, aad, buf);
      expect(sealed.buffer).toBe(buf.buffer);
      expect(sealed.length).toBe(1016);
      expect(toHex(sealed)).toBe(toHex(a.seal(nonce, pt, aad)));
      expect(buf[1016]).toBe(0x5a); // nothing written past the result
      const out = new Uint8Array(1000);
      expect(toHex(a.open(nonce, sealed, aad, out))).toBe(toHex(pt));
      expect(toHex(out)).toBe(toHex(pt));
      // refused: the caller's buffer is left as it was
      const keep = new Uint8Array(1000).fill(7);
      sealed[3] ^= 1;
      expect(() => a.open(nonce, sealed, aad, keep)).toThrow(AeadError);
      expect(keep.every((b) => b === 7)).toBe(true);
      expect(() => a.seal(nonce, pt, aad, new Uint8Array(1015))).toThrow(/at least 1016/);
      expect(() => a.open(nonce, sealed, aad, new Uint8Array(999))).toThrow(/at least 1000/);
      a.dispose();
    });

    it('a refused open leaves zeros, not plaintext, in the output buffer (raw export)', () => {
      const w = wasm();
      const e = w.exports;
      const ctx = w.alloc(e.wt_aead_ctx_size());
      const key = randomBytes(32),
        nonce = randomBytes(12),
        pt = randomBytes(1000);
      const sealed = new Aead('CHACHA20-POLY1305', key).seal(nonce, pt);
      const p = w.alloc(32 + 12 + sealed.length + 1000);
      const u = w.u8();
      u.set(key, p);
      expect(e.wt_x_aead_init(ctx, 3, p, 32)).toBe(0);
      u.set(nonce, p + 32);
      sealed[sealed.length - 1] ^= 1;
      u.set(sealed, p + 44);
      const out = p + 44 + sealed.length;
      w.u8().fill(0xaa, out, out + 1000);
      expect(e.wt_x_aead_open(ctx, p + 32, 12, 0, 0, p + 44, sealed.length, out)).toBe(-2);
      expect(
        w
          .u8()
          .subarray(out, out + 1000)
          .every((b) => b === 0),
      ).toBe(true);
      // in place: the ciphertext itself is wiped
      expect(e.wt_x_aead_open(ctx, p + 32, 12, 0, 0, p + 44, sealed.length, p + 44)).toBe(-2);
      expect(
        w
          .u8()
          .subarray(p + 44, p + 44 + 1000)
          .every((b) => b === 0),
      ).toBe(true);
      // sealed shorter than a tag: bad argument
      expect(e.wt_x_aead_open(ctx, p + 32, 12, 0, 0, p + 44, 15, out)).toBe(-1);
      w.wipe(ctx, e.wt_aead_ctx_size());
      w.free(ctx);
      w.free(p);
    });

    it('rejects bad arguments with clear errors', () => {
      const k = new Uint8Array(32);
      expect(() => new Aead('AES-128-CCM' as AeadName, k)).toThrow(/unknown AEAD/);
      expect(() => new Aead('CHACHA20-POLY1305', new Uint8Array(16))).toThrow(RangeError);
      expect(() => new Aead('CHACHA20-POLY1305', 'key' as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => new Aead('AES-128-GCM', new Uint8Array(32))).toThrow(/length 16/);
      expect(() => new Aead('AES-256-GCM', new Uint8Array(24))).toThrow(/length 32/);
      const g = new Aead('AES-128-GCM', new Uint8Array(16));
      expect(() => g.seal(new Uint8Array(0), new Uint8Array(4))).toThrow(/nonce length 0/);
      expect(() => g.open(new Uint8Array(0), new Uint8Array(20))).toThrow(/nonce length 0/);
      expect(g.open(new Uint8Array(8), g.seal(new Uint8Array(8), new Uint8Array(4)))).toEqual(new Uint8Array(4));
      g.dispose();
      const a = new Aead('CHACHA20-POLY1305', k);
      expect(() => a.seal(new Uint8Array(8), new Uint8Array(4))).toThrow(/nonce length 8/);
      expect(() => a.seal(new Uint8Array(12), [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => a.open(new Uint8Array(24), new Uint8Array(20))).toThrow(RangeError);
      expect(() => a.open(new Uint8Array(12), new Uint8Array(15))).toThrow(/at least 16/);
      a.dispose();
      a.dispose(); // idempotent
      expect(() => a.seal(new Uint8Array(12), new Uint8Array(1))).toThrow(/after dispose/);
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof AEAD (${build} build; skipped when ../shared/vectors is absent)`, () => {
    const files: [string, (keyBits: number) => AeadName | undefined][] = [
      ['chacha20_poly1305_test.json', (b) => (b === 256 ? 'CHACHA20-POLY1305' : undefined)],
      ['aes_gcm_test.json', (b) => (({ 128: 'AES-128-GCM', 192: 'AES-192-GCM', 256: 'AES-256-GCM' }) as const)[b]],
    ];
    for (const [file, algOf] of files) {
      it(file, () => {
        const f = wycheproof<AeadTest>(file)!;
        const count = { valid: 0, invalid: 0, acceptable: 0, unsupportedNonce: 0 };
        let n = 0;
        for (const g of f.testGroups) {
          const alg = algOf(g.keySize as number);
          expect(alg, `key size ${String(g.keySize)}`).toBeDefined();
          for (const t of g.tests) {
            const a = new Aead(alg!, hex(t.key));
            const iv = hex(t.iv),
              aad = hex(t.aad),
              msg = hex(t.msg);
            const sealed = cat(hex(t.ct), hex(t.tag));
            let opened: Uint8Array | undefined;
            let err: unknown;
            try {
              opened = a.open(iv, sealed, aad);
            } catch (e) {
              err = e;
            }
            if (t.result === 'valid') {
              expect(err, `tcId ${t.tcId}`).toBeUndefined();
              expect(toHex(opened!), `tcId ${t.tcId}`).toBe(t.msg);
              expect(toHex(a.seal(iv, msg, aad)), `tcId ${t.tcId} seal`).toBe(toHex(sealed));
            } else if (t.result === 'invalid') {
              expect(opened, `tcId ${t.tcId} must be refused`).toBeUndefined();
              // A nonce size the algorithm does not take is a bad argument
              // (RangeError); anything else must be an authentication failure.
              if (err instanceof RangeError) {
                expect(
                  t.flags.some((fl) => /NonceSize|IvSize|ZeroLengthIv/.test(fl)),
                  `tcId ${t.tcId}`,
                ).toBe(true);
                count.unsupportedNonce++;
              } else {
                expect(err, `tcId ${t.tcId}`).toBeInstanceOf(AeadError);
              }
            } else if (opened) {
              // acceptable: either answer, but an accepted one must be right
              expect(toHex(opened)).toBe(t.msg);
            }
            count[t.result]++;
            a.dispose();
            n++;
          }
        }
        expect(n).toBe(f.numberOfTests);
        console.log(
          `${file} (${build}): ${n} vectors: ${count.valid} valid accepted, ${count.invalid} invalid refused ` +
            `(${count.unsupportedNonce} for an unsupported nonce size), ${count.acceptable} acceptable`,
        );
      });
    }
  });
}
