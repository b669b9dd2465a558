/**
 * Private keys that never enter the module (issue #17): a signer in place
 * of key bytes, as BoringSSL's `SSL_PRIVATE_KEY_METHOD`. The engine keeps
 * the certificate chain and asks the signer for each signature the
 * handshake needs (CertificateVerify as a TLS 1.3 server, as a TLS 1.3 or
 * 1.2 client; TLS 1.2 ServerKeyExchange); the connection waits meanwhile
 * (`getError() === 'WANT_PRIVATE_KEY_OPERATION'`).
 *
 * The signer receives the message to sign, not a digest: WebCrypto, cloud
 * KMS APIs and most HSM front ends hash it themselves, with the hash the
 * scheme names. It returns the signature in TLS wire form (RFC 8446
 * 4.2.3: DER `ECDSA-Sig-Value` for ECDSA, the raw value for RSA and
 * Ed25519). {@link cryptoKeySigner} wraps a WebCrypto `CryptoKey`,
 * converting WebCrypto's IEEE P1363 ECDSA output (r || s) to DER.
 *
 * @example
 * ```ts
 * const { privateKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
 * const tls = accept({ transport, cert: certPem, key: cryptoKeySigner(privateKey) });
 * ```
 * @module
 */
import { SIGALGS, type SignatureSchemeName } from './codepoints.js';

/** A private key as a signing function (`key` wherever a key is taken). */
export interface PrivateKeySigner {
  /**
   * Sign `data` (the whole message; hash it with the scheme's hash) with
   * `scheme`, resolving to the signature in TLS wire form (DER for ECDSA).
   * A rejection (or a result that is not 1 to 512 bytes) fails the
   * handshake with internal_error (RFC 8446 6.2) and reason
   * `KEYOP_FAILED`; a signature that does not verify makes the peer refuse
   * it (decrypt_error).
   */
  sign(scheme: SignatureSchemeName, data: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /**
   * The schemes `sign` can make. Required: what a KMS or an HSM can do is
   * not in the certificate (an RSA key there may allow PSS only, or fixed
   * hashes). The engine offers only those that also fit the certificate's
   * key (RFC 8446 4.2.3) and the peer's signature_algorithms; when none
   * does, the handshake fails with handshake_failure.
   */
  schemes: readonly SignatureSchemeName[];
}

/** A private key operation the handshake waits for
 * (`Connection.privateKeyOperation()`). */
export interface PrivateKeyOperation {
  /** The scheme to sign with. */
  scheme: SignatureSchemeName;
  /** The message to sign (not a digest). */
  input: Uint8Array;
}

/** Whether `v` is a {@link PrivateKeySigner} (not PEM text or bytes). */
export function isSigner(v: unknown): v is PrivateKeySigner {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && typeof (v as { sign?: unknown }).sign === 'function';
}

/** The scheme codes of a signer, checked. */
export function signerCodes(s: PrivateKeySigner, who: string): number[] {
  const list = s.schemes;
  if (!Array.isArray(list) || list.length === 0 || list.length > 16) {
    throw new TypeError(`${who}: the signer's \`schemes\` must list 1 to 16 signature schemes it can make`);
  }
  return list.map((n) => {
    if (typeof n !== 'string' || !Object.hasOwn(SIGALGS, n)) {
      throw new TypeError(`${who}: unknown signature scheme ${JSON.stringify(n)} (one of ${Object.keys(SIGALGS).join(', ')})`);
    }
    return SIGALGS[n as SignatureSchemeName];
  });
}

/** DER length octets. */
function derLen(n: number): number[] {
  return n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
}

/** An unsigned big-endian integer as a DER INTEGER: leading zeros
 * dropped, one 0x00 put back when the top bit is set (X.690 8.3). */
function derInt(b: Uint8Array): number[] {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = Array.from(b.subarray(i));
  if (v[0] & 0x80) v.unshift(0);
  return [0x02, ...derLen(v.length), ...v];
}

/**
 * WebCrypto's ECDSA signature (IEEE P1363: r || s, each the curve's size)
 * as TLS carries it: `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * in DER (RFC 8446 4.2.3, RFC 3279 2.2.3).
 */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  if (sig.length === 0 || sig.length % 2 !== 0) throw new RangeError('p1363ToDer: expected r || s of equal lengths');
  const h = sig.length / 2;
  const body = [...derInt(sig.subarray(0, h)), ...derInt(sig.subarray(h))];
  return Uint8Array.from([0x30, ...derLen(body.length), ...body]);
}

const HASH_OF: Record<string, 'SHA-256' | 'SHA-384' | 'SHA-512'> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' };

/**
 * A signer over a WebCrypto private key, extractable or not: ECDSA
 * (P-256, P-384), RSA-PSS, RSASSA-PKCS1-v1_5 (TLS 1.2 only, RFC 8446
 * 4.4.3) or Ed25519. Its schemes follow from the key: an ECDSA key signs
 * with any hash, so both ECDSA schemes (TLS 1.3 takes the one of the
 * key's curve, TLS 1.2 either); an RSA key's hash is fixed when it is
 * generated or imported, so the schemes of that hash (rsa_pss_rsae_* and
 * rsa_pss_pss_* for RSA-PSS, the certificate deciding which applies;
 * salt length = hash length, RFC 8446 4.2.3).
 */
export function cryptoKeySigner(key: CryptoKey, subtle: SubtleCrypto = globalThis.crypto.subtle): PrivateKeySigner {
  if (typeof key !== 'object' || key === null || key.type !== 'private' || !key.usages.includes('sign')) {
    throw new TypeError('cryptoKeySigner: expected a private CryptoKey with the "sign" usage');
  }
  const alg = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  const bits = alg.hash?.name.replace('SHA-', '') ?? '';
  const copy = (d: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(d);
  switch (alg.name) {
    case 'ECDSA': {
      if (alg.namedCurve !== 'P-256' && alg.namedCurve !== 'P-384') {
        throw new TypeError(`cryptoKeySigner: ECDSA curve ${String(alg.namedCurve)} is not supported (P-256, P-384)`);
      }
      return {
        schemes:
          alg.namedCurve === 'P-256'
            ? ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384']
            : ['ecdsa_secp384r1_sha384', 'ecdsa_secp256r1_sha256'],
        sign: async (scheme, data) => {
          const hash = scheme === 'ecdsa_secp384r1_sha384' ? 'SHA-384' : 'SHA-256';
          return p1363ToDer(new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, key, copy(data))));
        },
      };
    }
    case 'RSA-PSS': {
      if (!HASH_OF[bits]) throw new TypeError(`cryptoKeySigner: RSA-PSS with ${String(alg.hash?.name)} is not a TLS scheme`);
      return {
        schemes: [`rsa_pss_rsae_sha${bits}`, `rsa_pss_pss_sha${bits}`] as SignatureSchemeName[],
        sign: async (_scheme, data) =>
          new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: Number(bits) / 8 }, key, copy(data))),
      };
    }
    case 'RSASSA-PKCS1-v1_5': {
      if (!HASH_OF[bits]) throw new TypeError(`cryptoKeySigner: RSASSA-PKCS1-v1_5 with ${String(alg.hash?.name)} is not a TLS scheme`);
      return {
        schemes: [`rsa_pkcs1_sha${bits}`] as SignatureSchemeName[],
        sign: async (_scheme, data) => new Uint8Array(await subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key, copy(data))),
      };
    }
    case 'Ed25519':
      return {
        schemes: ['ed25519'],
        sign: async (_scheme, data) => new Uint8Array(await subtle.sign({ name: 'Ed25519' }, key, copy(data))),
      };
    default:
      throw new TypeError(`cryptoKeySigner: ${alg.name} keys cannot sign TLS handshakes (ECDSA, RSA-PSS, RSASSA-PKCS1-v1_5, Ed25519)`);
  }
}
