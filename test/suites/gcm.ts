/**
 * AES-GCM straight against the wasm exports of wasm/exports_gcm.c (the
 * generic AEAD layer wraps them later), in both builds: the GCM spec test
 * cases typed here, all of Wycheproof's aes_gcm_test.json, and a
 * differential run against node:crypto (key sizes 128/192/256, 12-byte
 * and other IV lengths, AAD, lengths up to 70,000; node's ciphertext
 * opened by ours, ours compared with node's; in place; bit-flip
 * tampering).
 */
import { createCipheriv, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Wasm } from '../../ts/core/loader.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type GcmTest = {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
  comment?: string;
};

/** A key in wasm memory, and seal/open through the raw exports. */
class Gcm {
  private readonly ctx: number;
  readonly initRc: number;

  constructor(
    private readonly w: Wasm,
    key: Uint8Array,
  ) {
    const x = w.exports;
    this.ctx = w.alloc(x.wt_gcm_ctx_size());
    const k = w.copyIn(key);
    this.initRc = x.wt_x_gcm_init(this.ctx, k, key.length);
    w.wipe(k, key.length);
    w.free(k);
  }

  /** Returns ciphertext || tag. With inPlace, in and out share one buffer. */
  seal(iv: Uint8Array, aad: Uint8Array, msg: Uint8Array, inPlace = false): Uint8Array {
    const w = this.w;
    const pi = w.copyIn(iv),
      pa = w.copyIn(aad),
      pm = w.copyIn(msg);
    const po = inPlace ? pm : w.alloc(msg.length),
      pt = w.alloc(16);
    w.exports.wt_x_gcm_seal(this.ctx, pi, iv.length, pa, aad.length, pm, msg.length, po, pt);
    const out = new Uint8Array(msg.length + 16);
    out.set(w.u8().subarray(po, po + msg.length));
    out.set(w.u8().subarray(pt, pt + 16), msg.length);
    for (const p of new Set([pi, pa, pm, po, pt])) w.free(p);
    return out;
  }

  /** Returns [rc, output bytes]; rc 0 ok, -2 bad tag, -1 bad arguments. */
  open(iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array, inPlace = false): [number, Uint8Array] {
    const w = this.w;
    const pi = w.copyIn(iv),
      pa = w.copyIn(aad),
      pc = w.copyIn(ct),
      pt = w.copyIn(tag);
    const po = inPlace ? pc : w.alloc(ct.length);
    if (!inPlace) w.u8().fill(0xa5, po, po + ct.length);
    const rc = w.exports.wt_x_gcm_open(this.ctx, pi, iv.length, pa, aad.length, pc, ct.length, po, pt);
    const out = w.copyOut(po, ct.length);
    for (const p of new Set([pi, pa, pc, po, pt])) w.free(p);
    return [rc, out];
  }

  dispose(): void {
    this.w.wipe(this.ctx, this.w.exports.wt_gcm_ctx_size());
    this.w.free(this.ctx);
  }
}

const nodeSeal = (key: Uint8Array, iv: Uint8Array, aad: Uint8Array, msg: Uint8Array): string => {
  const c = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-128-gcm', key, iv);
  c.setAAD(aad);
  return Buffer.concat([c.update(msg), c.final(), c.getAuthTag()]).toString('hex');
};

/** Defines the suite for one build; test/gcm.<build>.test.ts call it. */
export function gcmSuite(build: Build): void {
  const w = useBuild(build);

  describe(`AES-GCM exports (${build} build)`, () => {
    it('GCM spec test cases 4, 5, 6, 10, 12, 16, 18 (McGrew-Viega; all 18 run natively)', () => {
      const k = 'feffe9928665731c6d6a8f9467308308';
      const p =
        'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' + '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
      const a = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
      const iv60 =
        '9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728' + 'c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b';
      const cases: [string, string, string, string][] = [
        [
          k,
          'cafebabefacedbaddecaf888',
          '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e' + '21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
          '5bc94fbc3221a5db94fae95ae7121a47',
        ],
        [
          k,
          'cafebabefacedbad',
          '61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c7423' + '73806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598',
          '3612d2e79e3b0785561be14aaca2fccb',
        ],
        [
          k,
          iv60,
          '8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7' + '01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5',
          '619cc5aefffe0bfa462af43c1699d050',
        ],
        [
          `${k}feffe9928665731c`,
          'cafebabefacedbaddecaf888',
          '3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984' + '628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710',
          '2519498e80f1478f37ba55bd6d27618c',
        ],
        [
          `${k}feffe9928665731c`,
          iv60,
          'd27e88681ce3243c4830165a8fdcf9ff1de9a1d8e6b447ef6ef7b79828666e45' + '81e79012af34ddd9e2f037589b292db3e67c036745fa22e7e9b7373b',
          'dcf566ff291c25bbb8568fc3d376a6d9',
        ],
        [
          k + k,
          'cafebabefacedbaddecaf888',
          '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' + '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
          '76fc6ece0f4e1768cddf8853bb2d551b',
        ],
        [
          k + k,
          iv60,
          '5a8def2f0c9e53f1f75d7853659e2a20eeb2b22aafde6419a058ab4f6f746bf4' + '0fc0c3b780f244452da3ebf1c5d82cdea2418997200ef82e44ae7e3f',
          'a44a8266ee1c8eb0c8b5d4cf5ae9f19a',
        ],
      ];
      for (const [key, iv, ct, tag] of cases) {
        const g = new Gcm(w, hex(key));
        expect(g.initRc).toBe(0);
        expect(toHex(g.seal(hex(iv), hex(a), hex(p)))).toBe(ct + tag);
        const [rc, pt] = g.open(hex(iv), hex(a), hex(ct), hex(tag));
        expect(rc).toBe(0);
        expect(toHex(pt)).toBe(p);
        g.dispose();
      }
    });

    it('rejects bad key lengths and an empty IV', () => {
      for (const n of [0, 1, 15, 17, 20, 31, 33, 64]) expect(new Gcm(w, new Uint8Array(n)).initRc, `keylen ${n}`).toBe(-1);
      const g = new Gcm(w, new Uint8Array(16));
      const [rc, out] = g.open(new Uint8Array(0), new Uint8Array(0), new Uint8Array(5), new Uint8Array(16));
      expect(rc).toBe(-1);
      expect(toHex(out)).toBe('a5a5a5a5a5'); // nothing written
      // seal cannot report: it zeroes its output instead of encrypting
      expect(toHex(g.seal(new Uint8Array(0), new Uint8Array(0), new Uint8Array(3).fill(7)))).toBe('00'.repeat(19));
      g.dispose();
    });

    it('differential against node:crypto: 400 random cases, both directions, in place, tampering', () => {
      for (let i = 0; i < 400; i++) {
        const key = randomBytes([16, 24, 32][i % 3]);
        const ivLen = i % 4 === 0 ? randomInt(1, 100) : 12;
        const iv = randomBytes(ivLen);
        const aad = randomBytes(i % 5 === 0 ? randomInt(0, 300) : randomInt(0, 20));
        const len = i < 300 ? i : i < 390 ? randomInt(300, 5000) : randomInt(5000, 70_001);
        const msg = randomBytes(len);
        const want = nodeSeal(key, iv, aad, msg);
        const g = new Gcm(w, key);
        const sealed = g.seal(iv, aad, msg);
        const what = `case ${i}: key ${key.length}, iv ${ivLen}, aad ${aad.length}, len ${len}`;
        expect(toHex(sealed), what).toBe(want);
        expect(toHex(g.seal(iv, aad, msg, true)), `${what} in place`).toBe(want);

        // Ours decrypts node's output, out of place and in place.
        const nodeOut = hex(want);
        const ct = nodeOut.subarray(0, len),
          tag = nodeOut.subarray(len);
        let [rc, pt] = g.open(iv, aad, ct, tag);
        expect(rc, what).toBe(0);
        expect(Buffer.from(pt).equals(msg), what).toBe(true);
        [rc, pt] = g.open(iv, aad, ct, tag, true);
        expect(rc, `${what} in place`).toBe(0);
        expect(Buffer.from(pt).equals(msg), `${what} in place`).toBe(true);

        // One flipped bit anywhere (ciphertext, tag, AAD or IV) is refused
        // and the output is wiped.
        const parts = [ct, tag, aad, iv].filter((b) => b.length > 0);
        const part = Uint8Array.from(parts[i % parts.length]);
        part[randomInt(0, part.length)] ^= 1 << randomInt(0, 8);
        const args: Uint8Array[] = [iv, aad, ct, tag].map((b) => (b === parts[i % parts.length] ? part : b));
        [rc, pt] = g.open(args[0], args[1], args[2], args[3]);
        expect(rc, `${what} tampered`).toBe(-2);
        expect(
          pt.every((b) => b === 0),
          `${what} output wiped`,
        ).toBe(true);
        g.dispose();
      }
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof (${build} build; skipped when ../shared/vectors is absent)`, () => {
    it('aes_gcm_test.json', () => {
      const f = wycheproof<GcmTest>('aes_gcm_test.json')!;
      let n = 0;
      for (const grp of f.testGroups) {
        for (const t of grp.tests) {
          const what = `tcId ${t.tcId} (${t.comment ?? ''} ${t.flags.join(',')})`;
          const g = new Gcm(w, hex(t.key));
          expect(g.initRc, what).toBe(0);
          const iv = hex(t.iv),
            aad = hex(t.aad),
            msg = hex(t.msg),
            ct = hex(t.ct),
            tag = hex(t.tag);
          const [rc, pt] = g.open(iv, aad, ct, tag);
          if (t.result === 'valid') {
            expect(rc, what).toBe(0);
            expect(toHex(pt), what).toBe(t.msg);
            expect(toHex(g.seal(iv, aad, msg)), what).toBe(t.ct + t.tag);
          } else {
            // Empty IVs are bad arguments (-1); every other invalid vector is
            // a forgery (-2) whose output must come back wiped.
            expect(rc, what).toBe(iv.length === 0 ? -1 : -2);
            if (rc === -2)
              expect(
                pt.every((b) => b === 0),
                what,
              ).toBe(true);
          }
          g.dispose();
          n++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      console.log(`aes_gcm_test.json: ${n} vectors`);
    });
  });
}
