/**
 * What s_client and s_server share: reading PEM files, the key log file,
 * and the words OpenSSL uses to print a connection (`CN = localhost`,
 * `X25519, 253 bits`, `verify error:num=20:...`), so output from our tools
 * reads like theirs and scripts that grep it keep working.
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { GroupName, SignatureSchemeName } from '../core/codepoints.js';
import { ALERT, TLSError } from '../core/errors.js';
import { verifyName, verifyReason } from '../core/verdict.js';
import type { CertName, PeerCertificate } from '../core/x509.js';
import { CliError } from './args.js';

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/**
 * An SSLKEYLOGFILE sink: lines are appended with one write each (O_APPEND),
 * so several processes can share a file as with Node or curl, and a line
 * is on disk before the connection that owns it sends application data.
 */
export function keylogFile(path: string): { write: (line: string) => void; close: () => void } {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (e) {
    throw new CliError(`cannot open key log file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return {
    write: (line) => {
      writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
    },
    close: () => closeSync(fd),
  };
}

/** A name as OpenSSL's one-line form prints it: `C = US, O = Org, CN = x`. */
export function oneline(n: CertName | undefined): string {
  if (!n) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(n)) for (const x of Array.isArray(v) ? v : [v]) parts.push(`${k} = ${x}`);
  return parts.join(', ');
}

/** The certificates as sent, leaf first, following `issuerCertificate`
 * until the self-signed end. */
export function chainOf(leaf: PeerCertificate | undefined): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  for (let c = leaf; c && !out.includes(c); c = c.issuerCertificate) out.push(c);
  return out;
}

/** OpenSSL's "Server Temp Key" wording per group. */
export function tempKey(g: GroupName | undefined): string {
  switch (g) {
    case 'x25519':
      return 'X25519, 253 bits';
    case 'secp256r1':
      return 'ECDH, prime256v1, 256 bits';
    case 'secp384r1':
      return 'ECDH, secp384r1, 384 bits';
    case 'X25519MLKEM768':
      return 'X25519MLKEM768';
    default:
      return 'none (resumed without key exchange)';
  }
}

/** OpenSSL's "Hash used" / "Signature type" for a signature scheme
 * (Ed25519 has no separate hash: OpenSSL prints UNDEF). */
export function sigWords(s: SignatureSchemeName | undefined): { hash: string; type: string } | undefined {
  if (!s) return undefined;
  if (s === 'ed25519') return { hash: 'UNDEF', type: 'Ed25519' };
  const hash = `SHA${/sha(\d+)$/.exec(s)?.[1] ?? ''}`;
  return { hash, type: s.startsWith('ecdsa') ? 'ECDSA' : s.startsWith('rsa_pkcs1') ? 'RSA' : 'RSA-PSS' };
}

/** OpenSSL's X509_V_ERR_* numbers (OpenSSL 3.0 include/openssl/x509_vfy.h,
 * as `openssl verify` prints them: "error 79 at 1 depth lookup") for our
 * verification error names (crypto-src/x509/store.c names them after
 * OpenSSL's). A name OpenSSL has no code for prints `num=?`:
 * - CERT_DECODE_ERROR, CERT_BAD_VERSION, CERT_DUPLICATE_EXTENSION: OpenSSL
 *   fails to parse such a certificate before verifying;
 * - CERT_NEGATIVE_SERIAL: OpenSSL 3.0 accepts it, even with -x509_strict;
 * - SAN_CRITICALITY_INVALID covers both directions of RFC 5280 4.2.1.6;
 *   OpenSSL's 88 (EMPTY_SUBJECT_SAN_NOT_CRITICAL) names only one of them;
 * - CERT_PIN_MISMATCH, CERT_LIMIT_EXCEEDED, NO_PEER_CERTIFICATE: ours. */
const VERIFY_NUM: Record<string, number> = {
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6,
  CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  ERROR_IN_CERT_VALIDITY_FIELD: 13,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  CERT_CHAIN_TOO_LONG: 22,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  KEYUSAGE_NO_CERTSIGN: 32,
  UNHANDLED_CRITICAL_EXTENSION: 34,
  // "invalid non-CA certificate (has CA markings)"
  INVALID_NON_CA: 37,
  KEYUSAGE_NO_DIGITAL_SIGNATURE: 39,
  // X509_V_ERR_INVALID_EXTENSION, "invalid or inconsistent certificate
  // extension": what x509_vfy.c reports for a certificate whose extensions
  // did not decode (EXFLAG_INVALID).
  CERT_BAD_EXTENSION: 41,
  PERMITTED_VIOLATION: 47,
  EXCLUDED_VIOLATION: 48,
  UNSUPPORTED_NAME_SYNTAX: 53,
  ERR_TLS_CERT_ALTNAME_INVALID: 62,
  // X509_V_ERR_EE_KEY_TOO_SMALL, "EE certificate key too weak": OpenSSL's
  // code for an end-entity key below its security level (RSA < 2048 bits,
  // P-192, DSA at level 2), the keys EE_KEY_UNSUPPORTED refuses.
  EE_KEY_UNSUPPORTED: 66,
  INVALID_CALL: 69,
  // "Cannot find certificate signature algorithm"
  CERT_UNSUPPORTED_SIGNATURE_ALGORITHM: 76,
  // X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY (-x509_strict: the
  // signature and tbsCertificate.signature algorithms differ, RFC 5280
  // 4.1.1.2); 77 is the issuer-key/algorithm mismatch.
  CERT_SIGNATURE_ALGORITHM_MISMATCH: 78,
  // 79 since OpenSSL 3.0 (24 was its number in 1.1.1; 3.0 gave 24 to
  // X509_V_ERR_NO_ISSUER_PUBLIC_KEY).
  INVALID_CA: 79,
  MISSING_AUTHORITY_KEY_IDENTIFIER: 85,
  MISSING_SUBJECT_KEY_IDENTIFIER: 86,
};

/** A verification verdict of the engine (Connection.verifyCode < 0). */
export interface Verdict {
  /** Our name (`UNABLE_TO_GET_ISSUER_CERT_LOCALLY`), as Node reports it. */
  name: string;
  /** OpenSSL's wording (`unable to get local issuer certificate`). */
  reason: string;
  /** OpenSSL's X509_V_ERR number, when it has one. */
  num: number | undefined;
}

/** The verdict behind a negative `Connection.verifyCode`. */
export function verdict(code: number): Verdict {
  const name = verifyName(code) ?? 'OK';
  return { name, reason: verifyReason(code) ?? 'ok', num: VERIFY_NUM[name] };
}

/** `verify error:num=20:unable to get local issuer certificate`, OpenSSL's line. */
export function verifyErrorLine(v: Verdict): string {
  return `verify error:num=${v.num ?? '?'}:${v.reason} (${v.name})`;
}

const ALERT_NAME: Record<number, string> = Object.fromEntries(Object.entries(ALERT).map(([k, v]) => [v, k]));

export function alertName(a: number): string {
  return ALERT_NAME[a] ?? `alert ${a}`;
}

/** One line for a failed connection: what went wrong, naming the alert
 * and who sent it, without the library's prefix, then the error's code
 * (`[ERR_SSL_TLSV1_ALERT_UNKNOWN_CA]`, Node's name, to search for). */
export function describeError(e: unknown): string {
  if (e instanceof TLSError) {
    if (e.alert !== undefined) {
      const why = e.alertDirection === 'sent' && e.reasonCode !== e.engineCode && e.reasonCode !== 0 ? ` (${e.reason})` : '';
      return `${e.alertDirection === 'sent' ? 'sent' : 'received'} fatal alert ${alertName(e.alert)}${why} [${e.code}]`;
    }
    // The reason alone: for the engine's codes its table's text (truncation
    // reads "unexpected EOF: transport closed without close_notify"), for
    // a local failure the text it was made with.
    return `${e.reason} [${e.code}]`;
  }
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message.replace(/^wasmtls: /, '');
    return code && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(e);
}
