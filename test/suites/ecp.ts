/**
 * P-256 / P-384 ECDH and ECDSA in both builds: RFC 6979 known answers
 * typed here, Wycheproof (ECDH with DER and raw public keys, ECDSA verify)
 * with every vector checked against its verdict, and a differential run
 * against node:crypto in both directions.
 */
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomInt,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ecdh,
  ecdhKeygen,
  ecdhPublicKey,
  ecdsaSigFromDer,
  ecdsaSigToDer,
  ecdsaSign,
  ecdsaVerify,
  ecpPointDecode,
  type CurveName,
} from '../../ts/core/ecp.js';
import { digest, type HashName } from '../../ts/core/hash.js';
import { type Build, haveVectors, hex, toHex, useBuild, wycheproof } from '../helpers/env.js';

type Verdict = 'valid' | 'invalid' | 'acceptable';
type EcdhTest = { tcId: number; public: string; private: string; shared: string; result: Verdict; flags: string[] };
type EcdsaTest = { tcId: number; msg: string; sig: string; result: Verdict; flags: string[] };

const enc = (s: string) => new TextEncoder().encode(s);
const CURVES: CurveName[] = ['P-256', 'P-384'];
const LEN: Record<CurveName, number> = { 'P-256': 32, 'P-384': 48 };
const NODE_CURVE: Record<CurveName, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1' };
const NODE_HASH: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** A Wycheproof private key (hex of a positive integer, maybe with a sign
 * byte or shorter) as exactly len bytes. */
function scalar(h: string, len: number): Uint8Array {
  const b = hex(h);
  let i = 0;
  while (i < b.length - len && b[i] === 0) i++;
  const v = b.subarray(i);
  if (v.length > len) throw new Error('private key too long');
  const out = new Uint8Array(len);
  out.set(v, len - v.length);
  return out;
}

function nodeKeys(curve: CurveName, priv: Uint8Array, pub: Uint8Array): { sk: KeyObject; pk: KeyObject } {
  const len = LEN[curve];
  const jwk = { kty: 'EC', crv: curve, x: b64u(pub.subarray(1, 1 + len)), y: b64u(pub.subarray(1 + len)) };
  return {
    sk: createPrivateKey({ key: { ...jwk, d: b64u(priv) }, format: 'jwk' }),
    pk: createPublicKey({ key: jwk, format: 'jwk' }),
  };
}

/** Defines the suite for one build; test/ecp.<build>.test.ts call it. */
export function ecpSuite(build: Build): void {
  useBuild(build);
  describe(`P-256 / P-384 (${build} build)`, () => {
    it('RFC 6979 A.2.5 and A.2.6: public keys and deterministic signatures', () => {
      const cases: [CurveName, string, string, [HashName, string, string, string][]][] = [
        [
          'P-256',
          'C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721',
          '0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6' +
            '7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299',
          [
            [
              'SHA-256',
              'sample',
              'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716',
              'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8',
            ],
            [
              'SHA-256',
              'test',
              'F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367',
              '019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083',
            ],
            [
              'SHA-512',
              'sample',
              '8496A60B5E9B47C825488827E0495B0E3FA109EC4568FD3F8D1097678EB97F00',
              '2362AB1ADBE2B8ADF9CB9EDAB740EA6049C028114F2460F96554F61FAE3302FE',
            ],
          ],
        ],
        [
          'P-384',
          '6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5',
          '04EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13' +
            '8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720',
          [
            [
              'SHA-384',
              'sample',
              '94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46',
              '99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8',
            ],
            [
              'SHA-384',
              'test',
              '8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB',
              'DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5',
            ],
            [
              'SHA-256',
              'sample',
              '21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD',
              'F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0',
            ],
          ],
        ],
      ];
      for (const [curve, x, u, sigs] of cases) {
        const priv = hex(x.toLowerCase());
        const pub = ecdhPublicKey(curve, priv);
        expect(toHex(pub)).toBe(u.toLowerCase());
        for (const [hash, msg, r, s] of sigs) {
          const sig = ecdsaSign(curve, priv, enc(msg), { hash, extraEntropy: false });
          expect(toHex(sig), `${curve} ${hash} ${msg}`).toBe((r + s).toLowerCase());
          // Same through the prehashed path, and DER.
          const dg = digest(hash, enc(msg));
          expect(toHex(ecdsaSign(curve, priv, dg, { hash, prehashed: true, extraEntropy: false }))).toBe(toHex(sig));
          const der = ecdsaSign(curve, priv, enc(msg), { hash, extraEntropy: false, der: true });
          expect(toHex(ecdsaSigFromDer(curve, der))).toBe(toHex(sig));
          expect(toHex(ecdsaSigToDer(curve, sig))).toBe(toHex(der));
          expect(ecdsaVerify(curve, pub, enc(msg), sig, { hash })).toBe(true);
          expect(ecdsaVerify(curve, pub, enc(msg), der, { hash, der: true })).toBe(true);
          expect(ecdsaVerify(curve, pub, enc(`${msg}!`), sig, { hash })).toBe(false);
          // Hedged (default): differs from the deterministic one, still valid.
          const hedged = ecdsaSign(curve, priv, enc(msg), { hash });
          expect(toHex(hedged)).not.toBe(toHex(sig));
          expect(ecdsaVerify(curve, pub, enc(msg), hedged, { hash })).toBe(true);
        }
      }
    });

    it('rejects bad arguments with clear errors', () => {
      expect(() => ecdhKeygen('P-521' as CurveName)).toThrow(/unknown curve/);
      expect(() => ecdhPublicKey('P-256', new Uint8Array(31))).toThrow(/length 32/);
      expect(() => ecdhPublicKey('P-256', new Uint8Array(32))).toThrow(/out of range/);
      expect(() => ecdhPublicKey('P-256', new Uint8Array(32).fill(0xff))).toThrow(/out of range/);
      const k = ecdhKeygen('P-256');
      const bad = k.publicKey.slice();
      bad[40] ^= 1;
      expect(() => ecdh('P-256', k.privateKey, bad)).toThrow(/invalid P-256 peer/);
      expect(() => ecdh('P-256', k.privateKey, k.publicKey.subarray(0, 33))).toThrow(/invalid/);
      expect(() => ecdh('P-384', ecdhKeygen('P-384').privateKey, k.publicKey)).toThrow(/invalid/);
      expect(() => ecdsaSign('P-256', k.privateKey, new Uint8Array(31), { prehashed: true })).toThrow(/length 32/);
      expect(ecdsaVerify('P-256', bad, enc('x'), new Uint8Array(64))).toBe(false);
      expect(ecdsaVerify('P-256', k.publicKey, enc('x'), new Uint8Array(63))).toBe(false);
      expect(() => ecdsaSigFromDer('P-256', hex('3006020101020102ff'))).toThrow(/malformed/);
    });

    it('differential against node:crypto: ECDH both ways, 60 random key pairs per curve', () => {
      for (const curve of CURVES) {
        for (let i = 0; i < 60; i++) {
          const ours = ecdhKeygen(curve);
          const theirs = createECDH(NODE_CURVE[curve]);
          theirs.generateKeys();
          const theirPub = new Uint8Array(theirs.getPublicKey());
          // Our public key is the one node derives from our private key.
          const check = createECDH(NODE_CURVE[curve]);
          check.setPrivateKey(ours.privateKey);
          expect(toHex(ours.publicKey)).toBe(toHex(new Uint8Array(check.getPublicKey())));
          const z1 = ecdh(curve, ours.privateKey, theirPub);
          const z2 = new Uint8Array(theirs.computeSecret(ours.publicKey));
          expect(toHex(z1), `${curve} #${i}`).toBe(toHex(z2));
          // Node's private key drops leading zero bytes: pad it back.
          const theirPriv = scalar(theirs.getPrivateKey('hex'), LEN[curve]);
          expect(toHex(ecdhPublicKey(curve, theirPriv))).toBe(toHex(theirPub));
          // Compressed form from node decompresses to the same point.
          const comp = new Uint8Array(theirs.getPublicKey(null, 'compressed'));
          expect(toHex(ecpPointDecode(curve, comp))).toBe(toHex(theirPub));
        }
      }
    });

    it('differential against node:crypto: ECDSA both ways, raw and DER, random messages', () => {
      const hashes: HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
      for (const curve of CURVES) {
        for (let i = 0; i < 48; i++) {
          const kp = ecdhKeygen(curve);
          const { sk, pk } = nodeKeys(curve, kp.privateKey, kp.publicKey);
          const hash = i < 24 ? (curve === 'P-256' ? 'SHA-256' : 'SHA-384') : hashes[i % 3];
          const msg = randomBytes(randomInt(0, 300));
          for (const der of [false, true]) {
            const dsaEncoding = der ? 'der' : 'ieee-p1363';
            // We sign, node verifies.
            const sig = ecdsaSign(curve, kp.privateKey, msg, { der, hash });
            expect(nodeVerify(NODE_HASH[hash], msg, { key: pk, dsaEncoding }, sig), `${curve} ${hash} der=${der}`).toBe(true);
            // Node signs, we verify; and a modified message fails.
            const theirs = new Uint8Array(nodeSign(NODE_HASH[hash], msg, { key: sk, dsaEncoding }));
            expect(ecdsaVerify(curve, kp.publicKey, msg, theirs, { der, hash })).toBe(true);
            const other = Uint8Array.from(msg);
            if (other.length === 0) continue;
            other[randomInt(0, other.length)] ^= 1 << randomInt(0, 8);
            expect(ecdsaVerify(curve, kp.publicKey, other, theirs, { der, hash })).toBe(false);
          }
        }
      }
    });
  });

  describe.skipIf(!haveVectors)(`Wycheproof (${build} build; skipped when ../shared/vectors is absent)`, () => {
    // Public keys as DER SubjectPublicKeyInfo. RFC 5480 section 2.1.1
    // allows only the namedCurve form of the parameters, so the SPKI must be
    // exactly SEQUENCE { SEQUENCE { id-ecPublicKey, <curve OID> }, BIT STRING
    // (0 unused bits) point } in DER; anything else (explicit or modified
    // curve parameters, other curves, BER) counts as refused by that rule.
    // The point itself, compressed or not, goes to our code.
    const ALG_ID: Record<CurveName, string> = {
      'P-256': '301306072a8648ce3d020106082a8648ce3d030107',
      'P-384': '301006072a8648ce3d020106052b81040022',
    };
    function spkiPoint(curve: CurveName, der: Uint8Array): Uint8Array | undefined {
      for (const plen of [1 + 2 * LEN[curve], 1 + LEN[curve]]) {
        const alg = hex(ALG_ID[curve]);
        const prefix = new Uint8Array([0x30, alg.length + 3 + plen, ...alg, 0x03, plen + 1, 0x00]);
        if (der.length === prefix.length + plen && toHex(der.subarray(0, prefix.length)) === toHex(prefix)) {
          return der.subarray(prefix.length);
        }
      }
      return undefined;
    }
    for (const [file, curve] of [
      ['ecdh_secp256r1_test.json', 'P-256'],
      ['ecdh_secp384r1_test.json', 'P-384'],
    ] as const) {
      it(file, () => {
        const f = wycheproof<EcdhTest>(file)!;
        const count = { valid: 0, invalid: 0, acceptable: 0, refusedSpki: 0, refusedPoint: 0, compressed: 0 };
        for (const g of f.testGroups) {
          for (const t of g.tests) {
            const point = spkiPoint(curve, hex(t.public));
            let shared: string | undefined;
            if (point === undefined) {
              count.refusedSpki++;
            } else {
              try {
                const compressed = point[0] !== 4;
                const pub = compressed ? ecpPointDecode(curve, point) : point;
                shared = toHex(ecdh(curve, scalar(t.private, LEN[curve]), pub));
                if (compressed) count.compressed++;
              } catch {
                count.refusedPoint++;
              }
            }
            if (t.result === 'valid') expect(shared, `tcId ${t.tcId}`).toBe(t.shared);
            else if (t.result === 'invalid') expect(shared, `tcId ${t.tcId} must be refused`).toBeUndefined();
            else if (shared !== undefined) expect(shared, `tcId ${t.tcId} (acceptable)`).toBe(t.shared);
            count[t.result]++;
          }
        }
        const n = count.valid + count.invalid + count.acceptable;
        expect(n).toBe(f.numberOfTests);
        console.log(
          `${file}: ${n} vectors (${count.valid} valid, ${count.invalid} invalid, ${count.acceptable} acceptable; ` +
            `${count.refusedSpki} refused as not a DER namedCurve SPKI, ${count.refusedPoint} points refused, ` +
            `${count.compressed} compressed points decoded)`,
        );
      });
    }

    // Raw SEC 1 points: our decoder alone decides. Compressed points are
    // decompressed (ecpPointDecode) and then used.
    for (const [file, curve] of [
      ['ecdh_secp256r1_ecpoint_test.json', 'P-256'],
      ['ecdh_secp384r1_ecpoint_test.json', 'P-384'],
    ] as const) {
      it(file, () => {
        const f = wycheproof<EcdhTest>(file)!;
        const count = { valid: 0, invalid: 0, acceptable: 0, compressedAccepted: 0, refused: 0 };
        for (const g of f.testGroups) {
          for (const t of g.tests) {
            const raw = hex(t.public);
            let shared: string | undefined;
            try {
              const compressed = raw.length > 0 && raw[0] !== 4;
              const pub = compressed ? ecpPointDecode(curve, raw) : raw;
              shared = toHex(ecdh(curve, scalar(t.private, LEN[curve]), pub));
              if (compressed) count.compressedAccepted++;
            } catch {
              count.refused++;
            }
            if (t.result === 'valid') expect(shared, `tcId ${t.tcId}`).toBe(t.shared);
            else if (t.result === 'invalid') expect(shared, `tcId ${t.tcId} must be refused`).toBeUndefined();
            else expect(shared, `tcId ${t.tcId} (acceptable: compressed, supported)`).toBe(t.shared);
            count[t.result]++;
          }
        }
        const n = count.valid + count.invalid + count.acceptable;
        expect(n).toBe(f.numberOfTests);
        console.log(
          `${file}: ${n} vectors (${count.valid} valid, ${count.invalid} invalid, ${count.acceptable} acceptable; ` +
            `${count.compressedAccepted} compressed points decoded, ${count.refused} refused)`,
        );
      });
    }

    for (const [file, curve] of [
      ['ecdsa_secp256r1_sha256_test.json', 'P-256'],
      ['ecdsa_secp384r1_sha384_test.json', 'P-384'],
    ] as const) {
      it(file, () => {
        const f = wycheproof<EcdsaTest>(file)!;
        const count = { valid: 0, invalid: 0, acceptable: 0 };
        for (const g of f.testGroups) {
          const pk = g.publicKey as { uncompressed: string };
          const hash = g.sha as HashName;
          for (const t of g.tests) {
            const ok = ecdsaVerify(curve, hex(pk.uncompressed), hex(t.msg), hex(t.sig), { der: true, hash });
            if (t.result === 'acceptable') expect(typeof ok).toBe('boolean');
            else expect(ok, `tcId ${t.tcId} (${t.flags.join(',')})`).toBe(t.result === 'valid');
            count[t.result]++;
          }
        }
        const n = count.valid + count.invalid + count.acceptable;
        expect(n).toBe(f.numberOfTests);
        console.log(`${file}: ${n} vectors (${count.valid} valid, ${count.invalid} invalid, ${count.acceptable} acceptable)`);
      });
    }
  });
}
