/**
 * SHA-2, HMAC, HKDF and the TLS 1.3 label helpers, in both builds:
 * FIPS 180-4 / RFC 4231 / RFC 5869 / RFC 8448 known answers typed here,
 * Wycheproof vectors, and a differential run against node:crypto.
 */
import { createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveSecret,
  digest,
  Hash,
  hkdf,
  hkdfExpand,
  hkdfExpandLabel,
  hkdfExtract,
  Hmac,
  hmac,
  type HashName,
} from '../../ts/core/hash.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type MacTest = { tcId: number; key: string; msg: string; tag: string; result: 'valid' | 'invalid' | 'acceptable' };
type HkdfTest = { tcId: number; ikm: string; salt: string; info: string; size: number; okm: string; result: string };

const enc = (s: string) => new TextEncoder().encode(s);
const NODE: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** Defines the suite for one build; test/hash.<build>.test.ts call it. */
export function hashSuite(build: Build): void {
  useBuild(build);
  describe(`hash family (${build} build)`, () => {
    it('FIPS 180-4 examples', () => {
      const two = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
      const four = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
      const cases: [HashName, string, string][] = [
        ['SHA-256', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
        ['SHA-256', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
        ['SHA-256', two, '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
        ['SHA-384', 'abc', 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'],
        ['SHA-384', four, '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039'],
        [
          'SHA-512',
          'abc',
          'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        ],
        [
          'SHA-512',
          four,
          '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
        ],
      ];
      for (const [name, msg, md] of cases) expect(toHex(digest(name, enc(msg))), `${name}(${msg.slice(0, 8)})`).toBe(md);
      // One million 'a' through the incremental interface, 1000 bytes a call.
      const h = new Hash('SHA-256');
      const block = new Uint8Array(1000).fill(0x61);
      for (let i = 0; i < 1000; i++) h.update(block);
      expect(toHex(h.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
      h.dispose();
    });

    it('RFC 4231 HMAC test cases 1, 2, 6', () => {
      const cases: [Uint8Array, Uint8Array, string, string, string][] = [
        [
          new Uint8Array(20).fill(0x0b),
          enc('Hi There'),
          'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
          'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
          '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
        ],
        [
          enc('Jefe'),
          enc('what do ya want for nothing?'),
          '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
          'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
          '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
        ],
        [
          new Uint8Array(131).fill(0xaa),
          enc('Test Using Larger Than Block-Size Key - Hash Key First'),
          '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
          '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
          '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
        ],
      ];
      for (const [key, data, m256, m384, m512] of cases) {
        expect(toHex(hmac('SHA-256', key, data))).toBe(m256);
        expect(toHex(hmac('SHA-384', key, data))).toBe(m384);
        expect(toHex(hmac('SHA-512', key, data))).toBe(m512);
        const inc = new Hmac('SHA-256', key);
        for (const b of data) inc.update(Uint8Array.of(b));
        expect(toHex(inc.digest())).toBe(m256);
        inc.dispose();
      }
    });

    it('RFC 5869 HKDF test cases 1 and 3', () => {
      const ikm = new Uint8Array(22).fill(0x0b);
      const prk1 = hkdfExtract('SHA-256', hex('000102030405060708090a0b0c'), ikm);
      expect(toHex(prk1)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
      expect(toHex(hkdfExpand('SHA-256', prk1, hex('f0f1f2f3f4f5f6f7f8f9'), 42))).toBe(
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
      );
      expect(toHex(hkdfExtract('SHA-256', new Uint8Array(0), ikm))).toBe(
        '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
      );
      expect(toHex(hkdf('SHA-256', ikm, new Uint8Array(0), new Uint8Array(0), 42))).toBe(
        '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
      );
      expect(() => hkdfExpand('SHA-256', prk1, new Uint8Array(0), 255 * 32 + 1)).toThrow(RangeError);
    });

    it('RFC 8448 section 3: early, derived and handshake secrets', () => {
      // {server} extract secret "early": HKDF-Extract(salt 0, IKM 32 zero bytes)
      const early = hkdfExtract('SHA-256', new Uint8Array(0), new Uint8Array(32));
      expect(toHex(early)).toBe('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
      const empty = digest('SHA-256', new Uint8Array(0));
      const derived = deriveSecret('SHA-256', early, 'derived', empty);
      expect(toHex(derived)).toBe('6f2615a108c702c5678f54fc9dbab69716c076189c48250cebeac3576c3611ba');
      // {server} extract secret "handshake" with the trace's (EC)DHE output.
      const ecdhe = hex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d');
      const hs = hkdfExtract('SHA-256', derived, ecdhe);
      expect(toHex(hs)).toBe('1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
      // The same through HKDF-Expand-Label directly.
      expect(toHex(hkdfExpandLabel('SHA-256', early, 'derived', empty, 32))).toBe(toHex(derived));
    });

    it('rejects bad arguments with clear errors', () => {
      expect(() => digest('SHA-1' as HashName, new Uint8Array(1))).toThrow(/unknown hash/);
      expect(() => digest('SHA-256', 'abc' as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => deriveSecret('SHA-256', new Uint8Array(31), 'x', new Uint8Array(32))).toThrow(/length 32/);
      expect(() => hkdfExpandLabel('SHA-256', new Uint8Array(32), 'x'.repeat(250), new Uint8Array(0), 32)).toThrow(RangeError);
      const h = new Hash('SHA-256');
      h.dispose();
      expect(() => h.update(new Uint8Array(1))).toThrow(/after dispose/);
    });

    it('differential against node:crypto: 1,200 random inputs, random splits, mid-stream copies', () => {
      const names: HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
      for (let i = 0; i < 1200; i++) {
        const name = names[i % 3];
        const len = i < 300 ? i : randomInt(0, 20_001);
        const data = randomBytes(len);
        const want = createHash(NODE[name]).update(data).digest('hex');
        expect(toHex(digest(name, data)), `${name} len ${len}`).toBe(want);

        // Random incremental split, with a copy taken mid-stream that must
        // give the digest of the prefix and then continue independently.
        const cut = randomInt(0, len + 1);
        const h = new Hash(name);
        let off = 0;
        while (off < cut) {
          const n = Math.min(cut - off, randomInt(0, 300));
          h.update(data.subarray(off, off + n));
          off += n;
        }
        const fork = h.clone();
        h.update(data.subarray(cut));
        expect(toHex(h.digest())).toBe(want);
        expect(toHex(fork.digest())).toBe(createHash(NODE[name]).update(data.subarray(0, cut)).digest('hex'));
        fork.update(data.subarray(cut));
        expect(toHex(fork.digest())).toBe(want);
        h.dispose();
        fork.dispose();

        const key = randomBytes(randomInt(0, 200));
        const mac = createHmac(NODE[name], key).update(data).digest('hex');
        expect(toHex(hmac(name, key, data)), `hmac ${name} len ${len}`).toBe(mac);
        const m = new Hmac(name, key).update(data.subarray(0, cut));
        const mf = m.clone();
        m.update(data.subarray(cut));
        mf.update(data.subarray(cut));
        expect(toHex(m.digest())).toBe(mac);
        expect(toHex(mf.digest())).toBe(mac);
        m.dispose();
        mf.dispose();

        if (name !== 'SHA-512' || i % 9 === 0) {
          const salt = randomBytes(randomInt(0, 80));
          const info = randomBytes(randomInt(0, 80));
          const L = randomInt(1, 255 * (name === 'SHA-256' ? 32 : name === 'SHA-384' ? 48 : 64) + 1);
          const okm = Buffer.from(hkdfSync(NODE[name], data.subarray(0, 200), salt, info, L)).toString('hex');
          expect(toHex(hkdf(name, data.subarray(0, 200), salt, info, L))).toBe(okm);
        }
      }
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof (${build} build; skipped when ../shared/vectors is absent)`, () => {
    for (const [file, name] of [
      ['hmac_sha256_test.json', 'SHA-256'],
      ['hmac_sha384_test.json', 'SHA-384'],
    ] as const) {
      it(file, () => {
        const f = wycheproof<MacTest>(file)!;
        let n = 0;
        for (const g of f.testGroups) {
          const tagBytes = (g.tagSize as number) / 8;
          for (const t of g.tests) {
            const full = hmac(name, hex(t.key), hex(t.msg));
            const ok = toHex(full.subarray(0, tagBytes)) === t.tag;
            // Every vector: valid ones must match, invalid ones must not.
            expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
            n++;
          }
        }
        expect(n).toBe(f.numberOfTests);
        console.log(`${file}: ${n} vectors`);
      });
    }
    for (const [file, name] of [
      ['hkdf_sha256_test.json', 'SHA-256'],
      ['hkdf_sha384_test.json', 'SHA-384'],
    ] as const) {
      it(file, () => {
        const f = wycheproof<HkdfTest>(file)!;
        let n = 0;
        for (const g of f.testGroups) {
          for (const t of g.tests) {
            let got: string | undefined;
            try {
              got = toHex(hkdf(name, hex(t.ikm), hex(t.salt), hex(t.info), t.size));
            } catch (e) {
              expect(e, `tcId ${t.tcId}`).toBeInstanceOf(RangeError);
            }
            if (t.result === 'valid') expect(got, `tcId ${t.tcId}`).toBe(t.okm);
            else expect(got, `tcId ${t.tcId} must be refused`).toBeUndefined();
            n++;
          }
        }
        expect(n).toBe(f.numberOfTests);
        console.log(`${file}: ${n} vectors`);
      });
    }
  });
}
