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
    case 'x25519': return 'X25519, 253 bits';
    case 'secp256r1': return 'ECDH, prime256v1, 256 bits';
    case 'secp384r1': return 'ECDH, secp384r1, 384 bits';
    case 'X25519MLKEM768': return 'X25519MLKEM768';
    default: return 'none (resumed without key exchange)';
  }
}

/** OpenSSL's "Hash used" / "Signature type" for a signature scheme
 * (Ed25519 has no separate hash: OpenSSL prints UNDEF). */
export function sigWords(s: SignatureSchemeName | undefined): { hash: string; type: string } | undefined {
  if (!s) return undefined;
  if (s === 'ed25519') return { hash: 'UNDEF', type: 'Ed25519' };
  const hash = `SHA${/sha(\d+)$/.exec(s)?.[1] ?? ''}`;
  return { hash, type: s.startsWith('ecdsa') ? 'ECDSA' : 'RSA-PSS' };
}

/** OpenSSL's X509_V_ERR_* numbers for our verification error names
 * (crypto-src/x509/store.c names them after OpenSSL's). */
const VERIFY_NUM: Record<string, number> = {
  UNABLE_TO_GET_ISSUER_CERT: 2, UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6, CERT_SIGNATURE_FAILURE: 7,
  CERT_NOT_YET_VALID: 9, CERT_HAS_EXPIRED: 10, ERROR_IN_CERT_VALIDITY_FIELD: 13, DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19, UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20, CERT_CHAIN_TOO_LONG: 22, INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25, INVALID_PURPOSE: 26, KEYUSAGE_NO_CERTSIGN: 32, UNHANDLED_CRITICAL_EXTENSION: 34,
  PERMITTED_VIOLATION: 47, EXCLUDED_VIOLATION: 48, UNSUPPORTED_NAME_SYNTAX: 53, ERR_TLS_CERT_ALTNAME_INVALID: 62,
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
 * and who sent it, without the library's prefix. */
export function describeError(e: unknown): string {
  if (e instanceof TLSError) {
    if (e.alert !== undefined) {
      const why = e.alertDirection === 'sent' && e.reasonCode !== e.code && e.reasonCode !== 0 ? ` (${e.reason})` : '';
      return `${e.alertDirection === 'sent' ? 'sent' : 'received'} fatal alert ${alertName(e.alert)}${why}`;
    }
    // The reason alone: for the engine's codes its table's text (truncation
    // reads "unexpected EOF: transport closed without close_notify"), for
    // a local failure the text it was made with.
    return e.reason;
  }
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message.replace(/^wasmtls: /, '');
    return code && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(e);
}
