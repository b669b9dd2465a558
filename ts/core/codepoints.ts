/**
 * TLS 1.3 codepoints by name: cipher suites (RFC 8446 B.4), key exchange
 * groups (RFC 8446 4.2.7, draft-ietf-tls-ecdhe-mlkem) and signature
 * schemes (RFC 8446 4.2.3), with the lookups both the context (names to
 * numbers) and the connection (numbers to names) use.
 * @module
 */

/** TLS 1.3 cipher suites (RFC 8446 B.4). */
export type CipherSuiteName = 'TLS_AES_128_GCM_SHA256' | 'TLS_AES_256_GCM_SHA384' | 'TLS_CHACHA20_POLY1305_SHA256';
/** Key exchange groups (RFC 8446 4.2.7; X25519MLKEM768 from
 * draft-ietf-tls-ecdhe-mlkem). OpenSSL's spellings are accepted too:
 * `X25519`, `P-256`, `P-384`, `prime256v1`. */
export type GroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768';
/** TLS 1.3 signature schemes (RFC 8446 4.2.3). */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384' | 'ed25519'
  | 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256' | 'rsa_pss_pss_sha384' | 'rsa_pss_pss_sha512';

export const SUITES: Record<CipherSuiteName, number> = {
  TLS_AES_128_GCM_SHA256: 0x1301, TLS_AES_256_GCM_SHA384: 0x1302, TLS_CHACHA20_POLY1305_SHA256: 0x1303,
};
export const GROUPS: Record<GroupName, number> = { x25519: 0x1d, secp256r1: 0x17, secp384r1: 0x18, X25519MLKEM768: 0x11ec };
export const GROUP_ALIASES: Record<string, number> = {
  x25519: 0x1d, 'p-256': 0x17, prime256v1: 0x17, secp256r1: 0x17, 'p-384': 0x18, secp384r1: 0x18,
  x25519mlkem768: 0x11ec,
};
export const SIGALGS: Record<SignatureSchemeName, number> = {
  ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp384r1_sha384: 0x0503, ed25519: 0x0807,
  rsa_pss_rsae_sha256: 0x0804, rsa_pss_rsae_sha384: 0x0805, rsa_pss_rsae_sha512: 0x0806,
  rsa_pss_pss_sha256: 0x0809, rsa_pss_pss_sha384: 0x080a, rsa_pss_pss_sha512: 0x080b,
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
