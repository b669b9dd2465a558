/**
 * Codepoints by name: protocol versions, cipher suites (TLS 1.3: RFC 8446
 * B.4; TLS 1.2: RFC 5289, RFC 7905, by IANA's and OpenSSL's names), key
 * exchange groups (RFC 8446 4.2.7, draft-ietf-tls-ecdhe-mlkem) and
 * signature schemes (RFC 8446 4.2.3), with the lookups both the context
 * (names to numbers) and the connection (numbers to names) use.
 * @module
 */

/** TLS 1.3 cipher suites (RFC 8446 B.4). */
export type CipherSuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384' | 'TLS_CHACHA20_POLY1305_SHA256';
/** Key exchange groups (RFC 8446 4.2.7; X25519MLKEM768 from
 * draft-ietf-tls-ecdhe-mlkem). OpenSSL's spellings are accepted too:
 * `X25519`, `P-256`, `P-384`, `prime256v1`. */
export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';
/** Signature schemes (RFC 8446 4.2.3): the TLS 1.3 ones, and RSA PKCS #1
 * v1.5 (`rsa_pkcs1_*`), which TLS 1.2 also signs handshakes with (RFC
 * 8446 4.2.3: TLS 1.3 only for certificates). In TLS 1.2 the ECDSA names
 * mean the hash only, not the curve (RFC 8446 4.2.3 vs RFC 5246 7.4.1.4.1). */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'ed25519'
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256'
  | 'rsa_pss_pss_sha384'
  | 'rsa_pss_pss_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512';

export const SUITES: Record<CipherSuiteName, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
};

/** The protocol versions spoken, by Node's (= OpenSSL's) names. */
export type TLSVersion = 'TLSv1.2' | 'TLSv1.3';
export const VERSIONS: Record<TLSVersion, number> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

/** TLS 1.2 cipher suites by OpenSSL's names (what Node's `ciphers` option
 * and `getCipher().name` use): ECDHE only, AEAD only. */
export type Cipher12Name =
  | 'ECDHE-ECDSA-AES128-GCM-SHA256'
  | 'ECDHE-RSA-AES128-GCM-SHA256'
  | 'ECDHE-ECDSA-AES256-GCM-SHA384'
  | 'ECDHE-RSA-AES256-GCM-SHA384'
  | 'ECDHE-ECDSA-CHACHA20-POLY1305'
  | 'ECDHE-RSA-CHACHA20-POLY1305';
/** The same suites by their IANA (RFC) names (`getCipher().standardName`). */
export type CipherSuite12Name =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256';
/** A negotiated suite by OpenSSL's name (for TLS 1.3 that is the IANA name). */
export type CipherName = CipherSuiteName | Cipher12Name;

/** TLS 1.2 suites: OpenSSL's name, IANA's name, codepoint (RFC 5289 3,
 * RFC 7905 2), in the engine's default preference order. */
export const SUITES12: readonly { readonly name: Cipher12Name; readonly standardName: CipherSuite12Name; readonly code: number }[] = [
  { name: 'ECDHE-ECDSA-CHACHA20-POLY1305', standardName: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', code: 0xcca9 },
  { name: 'ECDHE-RSA-CHACHA20-POLY1305', standardName: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', code: 0xcca8 },
  { name: 'ECDHE-ECDSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', code: 0xc02b },
  { name: 'ECDHE-RSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', code: 0xc02f },
  { name: 'ECDHE-ECDSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', code: 0xc02c },
  { name: 'ECDHE-RSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', code: 0xc030 },
];

/** A TLS 1.2 suite's codepoint by either name (exact spelling: OpenSSL's
 * cipher names are case-sensitive too). */
export function suite12Code(name: string): number | undefined {
  return SUITES12.find((s) => s.name === name || s.standardName === name)?.code;
}

/** A negotiated suite as Node's `getCipher()` gives it: OpenSSL's name,
 * the IANA name, and the first protocol version the suite is defined for
 * (OpenSSL's SSL_CIPHER_get_version, which Node reports as `version`). */
export interface CipherInfo {
  name: CipherName;
  standardName: CipherSuiteName | CipherSuite12Name;
  version: TLSVersion;
}

/** The names of a negotiated suite's codepoint, or undefined for none. */
export function cipherInfo(code: number): CipherInfo | undefined {
  const n13 = nameOf(SUITES, code);
  if (n13) return { name: n13, standardName: n13, version: 'TLSv1.3' };
  const s = SUITES12.find((x) => x.code === code);
  return s ? { name: s.name, standardName: s.standardName, version: 'TLSv1.2' } : undefined;
}
export const GROUPS: Record<GroupName, number> = { x25519: 0x1d, secp256r1: 0x17, secp384r1: 0x18, X25519MLKEM768: 0x11ec };
export const GROUP_ALIASES: Record<string, number> = {
  x25519: 0x1d,
  'p-256': 0x17,
  prime256v1: 0x17,
  secp256r1: 0x17,
  'p-384': 0x18,
  secp384r1: 0x18,
  x25519mlkem768: 0x11ec,
};
export const SIGALGS: Record<SignatureSchemeName, number> = {
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ed25519: 0x0807,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
};

export function nameOf<T extends string>(table: Record<T, number>, v: number): T | undefined {
  for (const k in table) if (table[k] === v) return k;
  return undefined;
}

export function codes(list: readonly (string | number)[], title: string, look: (s: string) => number | undefined): number[] {
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${title}: expected a non-empty array`);
  return list.map((v) => {
    const c = typeof v === 'number' ? v : look(v);
    if (c === undefined || !Number.isInteger(c) || c < 0 || c > 0xffff) {
      throw new TypeError(`${title}: unknown value ${String(v)}`);
    }
    return c;
  });
}
