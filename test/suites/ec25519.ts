/**
 * X25519 and Ed25519 in both builds: RFC 7748 / RFC 8032 known answers
 * typed here, every Wycheproof x25519 and ed25519 vector against its
 * verdict, and a differential run against node:crypto (keys, agreement
 * and signatures both ways, signatures equal byte for byte).
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  randomInt,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ed25519PublicKey,
  ed25519Sign,
  Ed25519SigningKey,
  ed25519Verify,
  x25519,
  x25519PublicKey,
  X25519ZeroSharedSecretError,
} from '../../ts/core/ec25519.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type XdhTest = {
  tcId: number;
  comment: string;
  public: string;
  private: string;
  shared: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
};
type EddsaTest = { tcId: number; comment: string; msg: string; sig: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] };

const ZERO32 = '00'.repeat(32);
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const unb64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

// node:crypto keys from raw bytes via JWK. Node requires `x` in a private
// JWK but derives the public key from `d` itself, so passing a dummy `x`
// and reading the public key back gives an independent derivation.
function nodePrivate(crv: 'X25519' | 'Ed25519', d: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv, d: b64u(d), x: b64u(new Uint8Array(32)) }, format: 'jwk' });
}
function nodePublic(crv: 'X25519' | 'Ed25519', x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: b64u(x) }, format: 'jwk' });
}
function nodePublicOf(priv: KeyObject): Uint8Array {
  return unb64u(createPublicKey(priv).export({ format: 'jwk' }).x as string);
}

/** Defines the suite for one build; test/ec25519.<build>.test.ts call it. */
export function ec25519Suite(build: Build): void {
  useBuild(build);
  describe(`X25519 (${build} build)`, () => {
    it('RFC 7748 section 5.2 vectors (the second with the top bit of u set)', () => {
      expect(
        toHex(
          x25519(
            hex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
            hex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c'),
          ),
        ),
      ).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552');
      expect(
        toHex(
          x25519(
            hex('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
            hex('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493'),
          ),
        ),
      ).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957');
    });

    it('RFC 7748 section 5.2 iterations: 1 and 1,000', () => {
      let k = hex(`09${'00'.repeat(31)}`);
      let u = k;
      for (let i = 1; i <= 1000; i++) {
        [k, u] = [x25519(k, u), k];
        if (i === 1) expect(toHex(k)).toBe('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
      }
      expect(toHex(k)).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
    });

    it('RFC 7748 section 6.1 Diffie-Hellman example', () => {
      const a = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
      const b = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
      const A = x25519PublicKey(a);
      const B = x25519PublicKey(b);
      expect(toHex(A)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
      expect(toHex(B)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
      const K = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
      expect(toHex(x25519(a, B))).toBe(K);
      expect(toHex(x25519(b, A))).toBe(K);
    });

    it('refuses an all-zero shared secret and bad arguments with clear errors', () => {
      const k = randomBytes(32);
      expect(() => x25519(k, new Uint8Array(32))).toThrow(X25519ZeroSharedSecretError);
      expect(() => x25519(k, hex(`01${'00'.repeat(31)}`))).toThrow(/all zeros/);
      expect(() => x25519(k, new Uint8Array(31))).toThrow(RangeError);
      expect(() => x25519(new Uint8Array(33), new Uint8Array(32))).toThrow(/length 32/);
      expect(() => x25519PublicKey('k' as unknown as Uint8Array)).toThrow(TypeError);
    });

    it('differential against node:crypto: 200 random key pairs, agreement both ways', () => {
      for (let i = 0; i < 200; i++) {
        const a = randomBytes(32);
        const b = randomBytes(32);
        const na = nodePrivate('X25519', a);
        const nb = nodePrivate('X25519', b);
        const A = x25519PublicKey(a);
        const B = x25519PublicKey(b);
        expect(toHex(A), `public key ${i}`).toBe(toHex(nodePublicOf(na)));
        expect(toHex(B)).toBe(toHex(nodePublicOf(nb)));
        const ours = toHex(x25519(a, B));
        // Node with our public key, and we with Node's.
        expect(ours, `agreement ${i}`).toBe(diffieHellman({ privateKey: na, publicKey: nodePublic('X25519', B) }).toString('hex'));
        expect(toHex(x25519(b, nodePublicOf(na)))).toBe(ours);
        expect(toHex(x25519(b, A))).toBe(ours);
      }
    });
  });

  describe(`Ed25519 (${build} build)`, () => {
    // RFC 8032 section 7.1: TEST 1, 2, 3 and SHA(abc) (message = SHA-512("abc")).
    const KAT: [string, string, string, string][] = [
      [
        '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
        'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        '',
        'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      ],
      [
        '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
        '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        '72',
        '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      ],
      [
        'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
        'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
        'af82',
        '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
      ],
      [
        '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
        'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
        'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
      ],
    ];

    it('RFC 8032 section 7.1: TEST 1, 2, 3, SHA(abc)', () => {
      for (const [seed, pub, msg, sig] of KAT) {
        expect(toHex(ed25519PublicKey(hex(seed)))).toBe(pub);
        expect(toHex(ed25519Sign(hex(seed), hex(msg)))).toBe(sig);
        expect(ed25519Verify(hex(pub), hex(msg), hex(sig))).toBe(true);
        const key = new Ed25519SigningKey(hex(seed));
        expect(toHex(key.publicKey)).toBe(pub);
        expect(toHex(key.sign(hex(msg)))).toBe(sig);
        key.dispose();
        expect(() => key.sign(hex(msg))).toThrow(/after dispose/);
        const bad = hex(sig);
        bad[40] ^= 1;
        expect(ed25519Verify(hex(pub), hex(msg), bad)).toBe(false);
      }
    });

    it('rejects bad arguments; wrong-length signatures are just invalid', () => {
      const [seed, pub, , sig] = KAT[0];
      expect(() => ed25519Sign(hex(seed).subarray(1), new Uint8Array(0))).toThrow(/length 32/);
      expect(() => ed25519Sign(hex(seed), 'x' as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => ed25519PublicKey(new Uint8Array(64))).toThrow(RangeError);
      expect(() => ed25519Verify(hex(pub).subarray(1), new Uint8Array(0), hex(sig))).toThrow(RangeError);
      expect(ed25519Verify(hex(pub), new Uint8Array(0), hex(sig).subarray(0, 63))).toBe(false);
      expect(ed25519Verify(hex(pub), new Uint8Array(0), hex(`${sig}00`))).toBe(false);
    });

    it('differential against node:crypto: 200 random seeds and messages, both directions, identical bytes', () => {
      for (let i = 0; i < 200; i++) {
        const seed = randomBytes(32);
        // Lengths 0..99, then random up to 5,000, and a few past the 64 KiB
        // scratch limit of the wrapper.
        const msg = randomBytes(i < 100 ? i : i % 50 === 0 ? randomInt(65_000, 70_000) : randomInt(0, 5000));
        const priv = nodePrivate('Ed25519', seed);
        const pub = ed25519PublicKey(seed);
        expect(toHex(pub), `public key ${i}`).toBe(toHex(nodePublicOf(priv)));
        const ours = ed25519Sign(seed, msg);
        const theirs = new Uint8Array(nodeSign(null, msg, priv));
        expect(toHex(ours), `signature ${i}`).toBe(toHex(theirs));
        if (i % 10 === 0) {
          const key = new Ed25519SigningKey(seed);
          expect(toHex(key.sign(msg))).toBe(toHex(theirs));
          key.dispose();
        }
        const npub = nodePublic('Ed25519', pub);
        expect(nodeVerify(null, msg, npub, ours)).toBe(true);
        expect(ed25519Verify(pub, msg, theirs)).toBe(true);
        // A flipped bit anywhere: both refuse.
        const bad = ours.slice();
        bad[randomInt(0, 64)] ^= 1 << randomInt(0, 8);
        expect(ed25519Verify(pub, msg, bad), `tampered ${i}`).toBe(false);
        expect(nodeVerify(null, msg, npub, bad)).toBe(false);
        if (msg.length > 0) {
          const m2 = msg.slice();
          m2[randomInt(0, m2.length)] ^= 0x80;
          expect(ed25519Verify(pub, m2, ours)).toBe(false);
        }
      }
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof (${build} build; skipped when ../shared/vectors is absent)`, () => {
    it('x25519_test.json: every vector', () => {
      const f = wycheproof<XdhTest>('x25519_test.json')!;
      const count = { valid: 0, acceptable: 0, refusedZero: 0, invalid: 0 };
      for (const g of f.testGroups) {
        for (const t of g.tests) {
          let got: string | undefined;
          let err: unknown;
          try {
            got = toHex(x25519(hex(t.private), hex(t.public)));
          } catch (e) {
            err = e;
          }
          if (t.result === 'invalid') {
            // None in this file today; an invalid vector must not produce its value.
            expect(got, `tcId ${t.tcId}`).not.toBe(t.shared);
            count.invalid++;
          } else if (t.shared === ZERO32) {
            // Acceptable vectors whose RFC 7748 output is all zeros (low-order
            // public keys): we refuse them, as RFC 7748 6.1 permits and TLS 1.3
            // requires.
            expect(t.result, `tcId ${t.tcId}`).toBe('acceptable');
            expect(err, `tcId ${t.tcId} must be refused`).toBeInstanceOf(X25519ZeroSharedSecretError);
            count.refusedZero++;
          } else {
            // Valid vectors, and acceptable ones with a non-zero output (twist
            // points, non-canonical u): computed exactly as RFC 7748 section 5
            // defines, which is what "acceptable" allows.
            expect(err, `tcId ${t.tcId}`).toBeUndefined();
            expect(got, `tcId ${t.tcId} (${t.comment})`).toBe(t.shared);
            count[t.result]++;
          }
        }
      }
      const n = count.valid + count.acceptable + count.refusedZero + count.invalid;
      expect(n).toBe(f.numberOfTests);
      console.log(
        `x25519_test.json: ${n} vectors: ${count.valid} valid computed, ${count.acceptable} acceptable computed, ` +
          `${count.refusedZero} acceptable all-zero refused, ${count.invalid} invalid`,
      );
    });

    it('ed25519_test.json: every vector', () => {
      const f = wycheproof<EddsaTest>('ed25519_test.json')!;
      let n = 0;
      let valid = 0;
      for (const g of f.testGroups) {
        const pk = hex((g.publicKey as { pk: string }).pk);
        for (const t of g.tests) {
          const ok = ed25519Verify(pk, hex(t.msg), hex(t.sig));
          // No "acceptable" verdicts exist for Ed25519: valid must verify,
          // invalid must not.
          expect(ok, `tcId ${t.tcId} (${t.comment})`).toBe(t.result === 'valid');
          n++;
          if (ok) valid++;
        }
      }
      expect(n).toBe(f.numberOfTests);
      console.log(`ed25519_test.json: ${n} vectors: ${valid} valid accepted, ${n - valid} invalid rejected`);
    });
  });
}
