/**
 * HPKE base mode (RFC 9180) in both builds against the RFC's Appendix A
 * known answers typed here: A.1.1 DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * AES-128-GCM and A.2.1 the same with ChaCha20-Poly1305. Checked:
 * DeriveKeyPair (both key pairs), SetupBaseS with the RFC's ephemeral
 * key (enc), the encryptions at sequence 0, 1, 2, 4, 255 and 256 sealed
 * by the sender and opened by SetupBaseR's context, and refusals (a
 * flipped byte, a low-order key, an unsupported suite).
 */
import { describe, expect, it } from 'vitest';
import type { Wasm } from '../ts/core/loader.js';
import { hex, toHex, useBuild } from './helpers/env.js';

const PT = '4265617574792069732074727574682c20747275746820626561757479';
const INFO = '4f6465206f6e2061204772656369616e2055726e';
// aad = "Count-<seq>"
const aad = (seq: number) => toHex(new TextEncoder().encode(`Count-${seq}`));

interface Vector {
  name: string;
  aead: number;
  ikmE: string;
  skEm: string;
  pkEm: string;
  ikmR: string;
  skRm: string;
  pkRm: string;
  cts: Record<number, string>;
}

const VECTORS: Vector[] = [
  {
    name: 'A.1.1 AES-128-GCM',
    aead: 1,
    ikmE: '7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234',
    skEm: '52c4a758a802cd8b936eceea314432798d5baf2d7e9235dc084ab1b9cfa2f736',
    pkEm: '37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431',
    ikmR: '6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037',
    skRm: '4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8',
    pkRm: '3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d',
    cts: {
      0: 'f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a',
      1: 'af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8a6eab251c03d0c22a56b8ca42c2063b84',
      2: '498dfcabd92e8acedc281e85af1cb4e3e31c7dc394a1ca20e173cb72516491588d96a19ad4a683518973dcc180',
      4: '583bd32bc67a5994bb8ceaca813d369bca7b2a42408cddef5e22f880b631215a09fc0012bc69fccaa251c0246d',
      255: '7175db9717964058640a3a11fb9007941a5d1757fda1a6935c805c21af32505bf106deefec4a49ac38d71c9e0a',
      256: '957f9800542b0b8891badb026d79cc54597cb2d225b54c00c5238c25d05c30e3fbeda97d2e0e1aba483a2df9f2',
    },
  },
  {
    name: 'A.2.1 ChaCha20-Poly1305',
    aead: 3,
    ikmE: '909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b',
    skEm: 'f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600',
    pkEm: '1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a',
    ikmR: '1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df',
    skRm: '8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb',
    pkRm: '4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a',
    cts: {
      0: '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28',
      1: '6b53c051e4199c518de79594e1c4ab18b96f081549d45ce015be002090bb119e85285337cc95ba5f59992dc98c',
      2: '71146bd6795ccc9c49ce25dda112a48f202ad220559502cef1f34271e0cb4b02b4f10ecac6f48c32f878fae86b',
      4: '63357a2aa291f5a4e5f27db6baa2af8cf77427c7c1a909e0b37214dd47db122bb153495ff0b02e9e54a50dbe16',
      255: '18ab939d63ddec9f6ac2b60d61d36a7375d2070c9b683861110757062c52b8880a5f6b3936da9cd6c23ef2a95c',
      256: '7a4a13e9ef23978e2c520fd4d2e757514ae160cd0cd05e556ef692370ca53076214c0c40d4c728d6ed9e727a5b',
    },
  },
];

// A tiny driver over the test exports: every argument copied into its
// own allocation, freed (and the context wiped) at the end.
class Hpke {
  private readonly ptrs: number[] = [];
  constructor(readonly w: Wasm) {}
  put(b: Uint8Array | string): number {
    const bytes = typeof b === 'string' ? hex(b) : b;
    const p = this.w.alloc(Math.max(bytes.length, 1));
    this.w.u8().set(bytes, p);
    this.ptrs.push(p);
    return p;
  }
  space(n: number): number {
    return this.put(new Uint8Array(n));
  }
  get(p: number, n: number): string {
    return toHex(this.w.copyOut(p, n));
  }
  done(): void {
    for (const p of this.ptrs) this.w.free(p);
  }
}

for (const build of ['simd', 'scalar'] as const) {
  describe(`HPKE base mode, RFC 9180 Appendix A (${build})`, () => {
    const w = useBuild(build);
    const x = w.exports;
    const ctxSize = x.wt_x_hpke_ctx_size() >>> 0;

    for (const v of VECTORS) {
      it(`${v.name}: DeriveKeyPair gives skEm/pkEm and skRm/pkRm`, () => {
        const h = new Hpke(w);
        for (const [ikm, sk, pk] of [
          [v.ikmE, v.skEm, v.pkEm],
          [v.ikmR, v.skRm, v.pkRm],
        ]) {
          const skp = h.space(32);
          const pkp = h.space(32);
          x.wt_x_hpke_derive_keypair(skp, pkp, h.put(ikm), 32);
          expect(h.get(skp, 32)).toBe(sk);
          expect(h.get(pkp, 32)).toBe(pk);
        }
        h.done();
      });

      it(`${v.name}: SetupBaseS gives enc; sealed at sequence 0..256 equals the RFC; SetupBaseR opens them`, () => {
        const h = new Hpke(w);
        const s = h.space(ctxSize);
        const r = h.space(ctxSize);
        const enc = h.space(32);
        expect(x.wt_x_hpke_setup_s(s, 1, v.aead, enc, h.put(v.pkRm), h.put(v.skEm), h.put(INFO), INFO.length / 2)).toBe(0);
        expect(h.get(enc, 32)).toBe(v.pkEm);
        expect(x.wt_x_hpke_setup_r(r, 1, v.aead, enc, h.put(v.skRm), h.put(INFO), INFO.length / 2)).toBe(0);
        const pt = hex(PT);
        let n = 0;
        for (const [seqs, want] of Object.entries(v.cts)) {
          const seq = Number(seqs);
          x.wt_x_hpke_set_seq(s, seq);
          x.wt_x_hpke_set_seq(r, seq);
          const a = hex(aad(seq));
          const out = h.space(pt.length + 16);
          expect(x.wt_x_hpke_seal(s, h.put(a), a.length, h.put(pt), pt.length, out)).toBe(0);
          expect(h.get(out, pt.length + 16)).toBe(want);
          const back = h.space(pt.length);
          expect(x.wt_x_hpke_open(r, h.put(a), a.length, out, pt.length + 16, back)).toBe(0);
          expect(h.get(back, pt.length)).toBe(PT);
          // A flipped byte of ciphertext, tag or aad is refused, and the
          // receiver's sequence number stays (RFC 9180 5.2), so the
          // untouched ciphertext still opens afterwards.
          const bad = hex(want);
          bad[seq % bad.length] ^= 1;
          x.wt_x_hpke_set_seq(r, seq);
          expect(x.wt_x_hpke_open(r, h.put(a), a.length, h.put(bad), bad.length, back)).toBe(-1);
          expect(h.get(back, pt.length)).toBe('00'.repeat(pt.length));
          expect(x.wt_x_hpke_open(r, h.put(a), a.length, out, pt.length + 16, back)).toBe(0);
          n++;
        }
        expect(n).toBe(6);
        // Without set_seq the counter advances by one per seal: seal twice
        // from a fresh context and get sequence 0 then 1.
        expect(x.wt_x_hpke_setup_s(s, 1, v.aead, enc, h.put(v.pkRm), h.put(v.skEm), h.put(INFO), INFO.length / 2)).toBe(0);
        for (const seq of [0, 1]) {
          const a = hex(aad(seq));
          const out = h.space(pt.length + 16);
          expect(x.wt_x_hpke_seal(s, h.put(a), a.length, h.put(pt), pt.length, out)).toBe(0);
          expect(h.get(out, pt.length + 16)).toBe(v.cts[seq]);
        }
        w.wipe(s, ctxSize);
        w.wipe(r, ctxSize);
        h.done();
      });
    }

    it('refuses a low-order recipient key (all-zero DH, RFC 9180 7.1.4) and suites it does not implement', () => {
      const h = new Hpke(w);
      const c = h.space(ctxSize);
      const enc = h.space(32);
      const v = VECTORS[0] as Vector;
      expect(x.wt_x_hpke_setup_s(c, 1, 1, enc, h.put('00'.repeat(32)), h.put(v.skEm), h.put(INFO), 20)).toBe(-1);
      expect(x.wt_x_hpke_setup_r(c, 1, 1, h.put('00'.repeat(32)), h.put(v.skRm), h.put(INFO), 20)).toBe(-1);
      expect(x.wt_x_hpke_setup_s(c, 2, 1, enc, h.put(v.pkRm), h.put(v.skEm), h.put(INFO), 20)).toBe(-1); // HKDF-SHA384
      expect(x.wt_x_hpke_setup_s(c, 1, 0xffff, enc, h.put(v.pkRm), h.put(v.skEm), h.put(INFO), 20)).toBe(-1); // export-only
      expect(x.wt_x_hpke_setup_s(c, 1, 2, enc, h.put(v.pkRm), h.put(v.skEm), h.put(INFO), 20)).toBe(0); // AES-256-GCM
      h.done();
    });
  });
}
