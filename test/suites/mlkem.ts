/**
 * SHA-3 / SHAKE and ML-KEM-768, in both builds:
 *  - FIPS 202 known answers typed here, and a differential run against
 *    node:crypto (sha3-256, sha3-512, shake128, shake256 with
 *    outputLength) on random inputs with random incremental splits;
 *  - ML-KEM-768: Wycheproof (keygen from seed, encaps, decaps, semi-
 *    expanded decaps with key checks), every vector against its verdict;
 *  - a differential run against @noble/post-quantum ml_kem768 (Node 20's
 *    node:crypto has no ML-KEM): keys from the same seed, each side
 *    decapsulates what the other encapsulated, implicit rejection agrees.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { describe, expect, it } from 'vitest';
import { mlkem768Decapsulate, mlkem768Encapsulate, mlkem768Keygen } from '../../ts/core/mlkem.js';
import { Sha3, Shake, sha3_256, sha3_512, shake128, shake256 } from '../../ts/core/sha3.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type Result = 'valid' | 'invalid' | 'acceptable';
type KeygenTest = { tcId: number; seed: string; ek: string; dk: string; result: Result };
type KemTest = { tcId: number; seed: string; ek: string; c: string; K: string; result: Result; flags?: string[] };
type EncapsTest = { tcId: number; m: string; ek: string; c: string; K: string; result: Result; flags?: string[] };
type DecapsTest = { tcId: number; dk: string; c: string; ek: string; K?: string; result: Result; flags?: string[] };

const enc = (s: string) => new TextEncoder().encode(s);
const nodeHash = (alg: string, data: Uint8Array, outputLength?: number) =>
  createHash(alg, outputLength === undefined ? undefined : { outputLength })
    .update(data)
    .digest('hex');

// Run fn; its value, or the error it threw.
function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Defines the suite for one build; test/mlkem.<build>.test.ts call it. */
export function mlkemSuite(build: Build): void {
  useBuild(build);

  describe(`SHA-3 (${build} build)`, () => {
    it('FIPS 202 examples', () => {
      const a3 = new Uint8Array(200).fill(0xa3);
      expect(toHex(sha3_256(new Uint8Array(0)))).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
      expect(toHex(sha3_256(enc('abc')))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
      expect(toHex(sha3_256(a3))).toBe('79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787');
      expect(toHex(sha3_512(enc('abc')))).toBe(
        'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0',
      );
      expect(toHex(sha3_512(a3))).toBe(
        'e76dfad22084a8b1467fcf2ffa58361bec7628edf5f3fdc0e4805dc48caeeca81b7c13c30adf52a3659584739a2df46be589c51ca1a4a8416df6545a1ce8ba00',
      );
      expect(toHex(shake128(new Uint8Array(0), 32))).toBe('7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26');
      expect(toHex(shake256(new Uint8Array(0), 64))).toBe(
        '46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be',
      );
      const s128 = shake128(a3, 512);
      expect(toHex(s128.subarray(0, 32))).toBe('131ab8d2b594946b9c81333f9bb6e0ce75c3b93104fa3469d3917457385da037');
      expect(toHex(s128.subarray(480))).toBe('44c9fb359fd56ac0a9a75a743cff6862f17d7259ab075216c0699511643b6439');
      const s256 = shake256(a3, 512);
      expect(toHex(s256.subarray(0, 32))).toBe('cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d');
      expect(toHex(s256.subarray(480))).toBe('6a1a9d7846436e4dca5728b6f760eef0ca92bf0be5615e96959d767197a0beeb');
    });

    it('differential against node:crypto: 1,200 random inputs, random splits, clones, squeezes', () => {
      for (let i = 0; i < 1200; i++) {
        const len = i < 300 ? i : randomInt(0, 20_001);
        const data = randomBytes(len);
        const cut = randomInt(0, len + 1);
        const which = i % 4;
        if (which < 2) {
          const name = which === 0 ? 'SHA3-256' : 'SHA3-512';
          const alg = which === 0 ? 'sha3-256' : 'sha3-512';
          const want = nodeHash(alg, data);
          expect(toHex(which === 0 ? sha3_256(data) : sha3_512(data)), `${name} len ${len}`).toBe(want);
          const h = new Sha3(name);
          let off = 0;
          while (off < cut) {
            const n = Math.min(cut - off, randomInt(0, 300));
            h.update(data.subarray(off, off + n));
            off += n;
          }
          const fork = h.clone();
          expect(toHex(fork.digest())).toBe(nodeHash(alg, data.subarray(0, cut)));
          h.update(data.subarray(cut));
          fork.update(data.subarray(cut));
          expect(toHex(h.digest())).toBe(want);
          expect(toHex(fork.digest())).toBe(want);
          h.dispose();
          fork.dispose();
        } else {
          const name = which === 2 ? 'SHAKE128' : 'SHAKE256';
          const alg = which === 2 ? 'shake128' : 'shake256';
          const outLen = randomInt(0, 1200);
          const want = nodeHash(alg, data, outLen);
          expect(toHex((which === 2 ? shake128 : shake256)(data, outLen)), `${name} len ${len} out ${outLen}`).toBe(want);
          // Absorb in two pieces, squeeze in random pieces; a clone taken
          // mid-squeeze continues the same stream.
          const x = new Shake(name).update(data.subarray(0, cut)).update(data.subarray(cut));
          const parts: Uint8Array[] = [];
          let got = 0;
          let clone: Shake | undefined;
          let cloneAt = 0;
          while (got < outLen) {
            const n = Math.min(outLen - got, randomInt(0, 400));
            parts.push(x.squeeze(n));
            got += n;
            if (!clone && got >= outLen / 2) {
              clone = x.clone();
              cloneAt = got;
            }
          }
          expect(toHex(Buffer.concat(parts))).toBe(want);
          if (clone) {
            expect(toHex(clone.squeeze(outLen - cloneAt))).toBe(want.slice(2 * cloneAt));
            clone.dispose();
          }
          x.dispose();
        }
      }
    });

    it('rejects misuse with clear errors', () => {
      const x = new Shake('SHAKE128').update(enc('abc'));
      x.squeeze(1);
      expect(() => x.update(enc('d'))).toThrow(/fixed once squeeze/);
      x.dispose();
      expect(() => x.squeeze(1)).toThrow(/after dispose/);
      expect(() => new Sha3('SHA3-384' as 'SHA3-256')).toThrow(/unknown SHA-3 function/);
      expect(() => shake128(enc('a'), -1)).toThrow(RangeError);
      expect(() => sha3_256('abc' as unknown as Uint8Array)).toThrow(TypeError);
    });
  });

  describe(`ML-KEM-768 (${build} build)`, () => {
    // Same known answer as test/native/test_mlkem.c: seed 00..3f, m 80..9f,
    // outputs computed with @noble/post-quantum 0.7.1 (hashes with
    // @noble/hashes sha3_256).
    it('known answer from @noble/post-quantum', () => {
      const seed = Uint8Array.from({ length: 64 }, (_, i) => i);
      const m = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
      const { publicKey, secretKey } = mlkem768Keygen(seed);
      expect(toHex(sha3_256(publicKey))).toBe('a24e16d8f8f9383a95b77050f4d9fd2f5733eec1d63ef3c23ebf9918173669a7');
      expect(toHex(sha3_256(secretKey))).toBe('1149f17c3c4ac6ab1e3e2d9d8bd0171355ac0fa31bb8855c48ceade874c0864b');
      const { ciphertext, sharedSecret } = mlkem768Encapsulate(publicKey, m);
      expect(toHex(sha3_256(ciphertext))).toBe('df7ac66499b94b59272371c2ebbace7fc7efa27c07d02959c7501c84644bbc40');
      expect(toHex(sharedSecret)).toBe('ef91db44b6cd5b2c50f483481a3d6e2a08cc149764fcb8dc568851332da45ed9');
      expect(toHex(mlkem768Decapsulate(secretKey, ciphertext))).toBe(toHex(sharedSecret));
      const bad = ciphertext.slice();
      bad[0] ^= 1;
      expect(toHex(mlkem768Decapsulate(secretKey, bad))).toBe('016b585c8abc901fa45387c496d0ed74332aa06501ace2bb65ab9f8458a35bfc');
    });

    it('implicit rejection: a changed ciphertext gives K-bar = J(z || c) = SHAKE256(z || c, 32)', () => {
      const { publicKey, secretKey } = mlkem768Keygen();
      const { ciphertext, sharedSecret } = mlkem768Encapsulate(publicKey);
      const z = secretKey.subarray(2368);
      for (const pos of [0, 959, 960, 1087, randomInt(0, 1088)]) {
        const c = ciphertext.slice();
        c[pos] ^= 1 << randomInt(0, 8);
        const got = mlkem768Decapsulate(secretKey, c);
        expect(toHex(got), `byte ${pos}`).toBe(nodeHash('shake256', Buffer.concat([z, c]), 32));
        expect(toHex(got)).not.toBe(toHex(sharedSecret));
      }
    });

    it('rejects bad arguments and keys with clear errors', () => {
      const { publicKey, secretKey } = mlkem768Keygen();
      const { ciphertext } = mlkem768Encapsulate(publicKey);
      expect(() => mlkem768Keygen(new Uint8Array(63))).toThrow(/seed: expected Uint8Array of length 64, got length=63/);
      expect(() => mlkem768Encapsulate(publicKey.subarray(1))).toThrow(RangeError);
      expect(() => mlkem768Encapsulate(publicKey, new Uint8Array(31))).toThrow(/length 32/);
      expect(() => mlkem768Decapsulate(secretKey, ciphertext.subarray(1))).toThrow(/ciphertext: expected Uint8Array of length 1088/);
      expect(() => mlkem768Decapsulate(new Uint8Array(2401), ciphertext)).toThrow(RangeError);
      expect(() => mlkem768Encapsulate([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
      // The last 12-bit value of t set to q = 0xd01 (FIPS 203 7.2).
      const ek = publicKey.slice();
      ek[1151] = 0xd0;
      ek[1150] = (ek[1150] & 0x0f) | 0x10;
      expect(() => mlkem768Encapsulate(ek)).toThrow(/modulus check/);
      // ek inside dk changed: H(ek) no longer matches (FIPS 203 7.3).
      const dk = secretKey.slice();
      dk[1152 + 100] ^= 1;
      expect(() => mlkem768Decapsulate(dk, ciphertext)).toThrow(/hash check/);
    });

    it('differential against @noble/post-quantum ml_kem768: 25 key pairs, both directions', () => {
      for (let i = 0; i < 25; i++) {
        const seed = randomBytes(64);
        const ours = mlkem768Keygen(seed);
        const theirs = ml_kem768.keygen(seed);
        expect(toHex(ours.publicKey)).toBe(toHex(theirs.publicKey));
        expect(toHex(ours.secretKey)).toBe(toHex(theirs.secretKey));
        // ours -> noble
        const e1 = mlkem768Encapsulate(ours.publicKey);
        expect(toHex(ml_kem768.decapsulate(e1.ciphertext, theirs.secretKey))).toBe(toHex(e1.sharedSecret));
        // noble -> ours
        const e2 = ml_kem768.encapsulate(theirs.publicKey);
        expect(toHex(mlkem768Decapsulate(ours.secretKey, e2.cipherText))).toBe(toHex(e2.sharedSecret));
        // same m, same output
        const m = randomBytes(32);
        const e3 = mlkem768Encapsulate(ours.publicKey, m);
        const e4 = ml_kem768.encapsulate(theirs.publicKey, m);
        expect(toHex(e3.ciphertext)).toBe(toHex(e4.cipherText));
        expect(toHex(e3.sharedSecret)).toBe(toHex(e4.sharedSecret));
        // implicit rejection agrees
        const c = e3.ciphertext.slice();
        c[randomInt(0, 1088)] ^= 0x80;
        expect(toHex(mlkem768Decapsulate(ours.secretKey, c))).toBe(toHex(ml_kem768.decapsulate(c, theirs.secretKey)));
      }
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof ML-KEM-768 (${build} build; skipped when ../shared/vectors is absent)`, () => {
    it('mlkem_768_keygen_seed_test.json', () => {
      const f = wycheproof<KeygenTest>('mlkem_768_keygen_seed_test.json')!;
      let n = 0;
      for (const g of f.testGroups) {
        for (const t of g.tests) {
          const r = attempt(() => mlkem768Keygen(hex(t.seed)));
          const ok = r.ok && toHex(r.value.publicKey) === t.ek && toHex(r.value.secretKey) === t.dk;
          expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
          n++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      console.log(`mlkem_768_keygen_seed_test.json: ${n} vectors`);
    });

    it('mlkem_768_test.json (keygen from seed, decapsulate)', () => {
      const f = wycheproof<KemTest>('mlkem_768_test.json')!;
      let n = 0;
      for (const g of f.testGroups) {
        for (const t of g.tests) {
          const r = attempt(() => {
            const { publicKey, secretKey } = mlkem768Keygen(hex(t.seed));
            return { ek: toHex(publicKey), K: toHex(mlkem768Decapsulate(secretKey, hex(t.c))) };
          });
          // Invalid vectors have a seed or ciphertext of the wrong length:
          // the type checks of FIPS 203 7.3 refuse them with a RangeError.
          if (!r.ok) expect(r.error, `tcId ${t.tcId}`).toBeInstanceOf(RangeError);
          const ok = r.ok && r.value.ek === t.ek && r.value.K === t.K;
          expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
          n++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      console.log(`mlkem_768_test.json: ${n} vectors`);
    });

    it('mlkem_768_encaps_test.json (deterministic m, ek checks)', () => {
      const f = wycheproof<EncapsTest>('mlkem_768_encaps_test.json')!;
      let n = 0;
      let modulus = 0;
      for (const g of f.testGroups) {
        for (const t of g.tests) {
          const r = attempt(() => mlkem768Encapsulate(hex(t.ek), hex(t.m)));
          if (!r.ok) {
            // wrong length: RangeError; ModulusOverflow and "not reduced": Error
            const e = r.error as Error;
            if (e instanceof RangeError) expect(hex(t.ek).length, `tcId ${t.tcId}`).not.toBe(1184);
            else {
              expect(e.message, `tcId ${t.tcId}`).toMatch(/modulus check/);
              modulus++;
            }
          }
          const ok = r.ok && toHex(r.value.ciphertext) === t.c && toHex(r.value.sharedSecret) === t.K;
          expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
          n++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      expect(modulus).toBeGreaterThanOrEqual(12);
      console.log(`mlkem_768_encaps_test.json: ${n} vectors (${modulus} refused by the modulus check)`);
    });

    it('mlkem_768_semi_expanded_decaps_test.json (dk checks)', () => {
      const f = wycheproof<DecapsTest>('mlkem_768_semi_expanded_decaps_test.json')!;
      let n = 0;
      for (const g of f.testGroups) {
        for (const t of g.tests) {
          const r = attempt(() => mlkem768Decapsulate(hex(t.dk), hex(t.c)));
          const flags = t.flags ?? [];
          if (!r.ok) {
            if (flags.includes('InvalidDecapsulationKey')) expect((r.error as Error).message).toMatch(/hash check/);
            else expect(r.error, `tcId ${t.tcId}`).toBeInstanceOf(RangeError);
          }
          const ok = r.ok && toHex(r.value) === t.K;
          expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
          n++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      console.log(`mlkem_768_semi_expanded_decaps_test.json: ${n} vectors`);
    });
  });
}
