/**
 * Building a {@link TLSContext} from the options connect() / accept() take
 * (Node's `tls.connect` vocabulary), once: connect() and accept(), the Node
 * socket (through them) and the CLI all build their contexts here, so what
 * `wasmtls s_client` / `s_server` measure is what users get.
 * @module
 */
import {
  SUITES,
  SUITES12,
  suite12Code,
  VERSIONS,
  type CipherSuiteName,
  type GroupName,
  type SignatureSchemeName,
  type TLSVersion,
} from './codepoints.js';
import type { Connection } from './connection.js';
import { TLSContext, type CaLike, type TLSContextOptions } from './context.js';
import { verdictAlert } from './verdict.js';
import type { PrivateKeySigner } from './signer.js';
import type { TrustStore } from './x509.js';

/** Room for the records of one 64 KiB slice of plaintext (4 full records):
 * connect() hands the engine up to 64 KiB per write. */
export const NET_OUT = 4 * 16709;

/** The policy options of connect() / accept() a context is built from. */
export interface ContextPolicy {
  ALPNProtocols?: readonly (string | Uint8Array)[];
  ca?: CaLike | TrustStore;
  cert?: string | Uint8Array | readonly Uint8Array[];
  key?: string | Uint8Array | PrivateKeySigner;
  minVersion?: string;
  maxVersion?: string;
  /** Node's `ciphers`: an OpenSSL cipher list (see {@link parseCiphers}). */
  ciphers?: string;
  ciphersuites?: readonly CipherSuiteName[];
  groups?: readonly GroupName[];
  sigalgs?: readonly SignatureSchemeName[];
  keylog?: (line: string) => void;
  /** Client: refuse an unauthorized server; server (with requestCert): an
   * unauthorized client. Default true. */
  rejectUnauthorized?: boolean;
  /** Client: SPKI SHA-256 pins. */
  pins?: readonly Uint8Array[];
  /** Server: ask for a client certificate. */
  requestCert?: boolean;
  /** Server, with requestCert: whether a client must send one (default:
   * `rejectUnauthorized`, as accept() has it; `openssl s_server -verify`
   * asks without insisting yet refuses a certificate that fails). */
  requireCert?: boolean;
  /** Server: 32-byte ticket key. */
  ticketKey?: Uint8Array;
  /** Sees the engine's verification code of each connection that got a
   * chain (the CLI prints OpenSSL's `verify error` line from it). */
  onVerdict?: (code: number, conn: Connection) => void;
  /** RFC 8879: false offers no compress_certificate. */
  certificateCompression?: false;
}

const SPOKEN = Object.keys(VERSIONS) as TLSVersion[];

/**
 * The version range of Node's `minVersion` / `maxVersion` (defaults
 * 'TLSv1.2' and 'TLSv1.3', as Node's). A lower minimum ('TLSv1',
 * 'TLSv1.1') is allowed as Node allows it and means "from the lowest we
 * speak", TLS 1.2; a maximum below TLS 1.2 cannot be met and, like a
 * minimum above the maximum or an unknown name, is a TypeError.
 */
export function versionRange(o: { minVersion?: string; maxVersion?: string }, who: string): { min: TLSVersion; max: TLSVersion } {
  const lower = ['TLSv1', 'TLSv1.1'];
  const named = (v: unknown, which: string): v is string => {
    if (typeof v === 'string' && (lower.includes(v) || Object.hasOwn(VERSIONS, v))) return true;
    throw new TypeError(
      `${who}: unknown ${which} ${JSON.stringify(v)}: expected 'TLSv1.2' or 'TLSv1.3' ` +
        "('TLSv1' and 'TLSv1.1' are accepted as a minimum, meaning TLS 1.2)",
    );
  };
  let min: TLSVersion = 'TLSv1.2';
  let max: TLSVersion = 'TLSv1.3';
  if (o.minVersion !== undefined && named(o.minVersion, 'minVersion')) {
    min = lower.includes(o.minVersion) ? 'TLSv1.2' : (o.minVersion as TLSVersion);
  }
  if (o.maxVersion !== undefined && named(o.maxVersion, 'maxVersion')) {
    if (lower.includes(o.maxVersion)) {
      throw new TypeError(`${who}: maxVersion ${o.maxVersion} cannot be met: wasmtls speaks ${SPOKEN.join(' and ')}`);
    }
    max = o.maxVersion as TLSVersion;
  }
  if (VERSIONS[min] > VERSIONS[max]) {
    throw new TypeError(`${who}: minVersion ${String(o.minVersion)} is above maxVersion ${String(o.maxVersion ?? max)}`);
  }
  return { min, max };
}

const SUPPORTED_CIPHERS = [...SUITES12.map((s) => s.name), ...Object.keys(SUITES)].join(', ');

/**
 * Node's `ciphers` option: an OpenSSL cipher list, names separated by
 * ':' (or ',' or ' ', as OpenSSL allows). As Node splits it, TLS 1.3
 * suites (`TLS_AES_128_GCM_SHA256`, ...) form the TLS 1.3 list and the
 * others the TLS 1.2 list; for TLS 1.2 both OpenSSL's names
 * (`ECDHE-RSA-AES128-GCM-SHA256`) and IANA's
 * (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) are taken. A list without
 * TLS 1.3 names leaves TLS 1.3's default suites, one without TLS 1.2
 * names leaves TLS 1.2 no suite (Node's behaviour on both counts).
 * Anything else, a suite this engine does not have (CBC, RSA key
 * exchange, DHE, ...) or OpenSSL's keywords and operators (`HIGH`,
 * `!aNULL`, `@STRENGTH`), is a TypeError naming it: nothing is dropped
 * silently.
 */
export function parseCiphers(text: string, who: string): { suites12: number[]; suites13: CipherSuiteName[] } {
  if (typeof text !== 'string') throw new TypeError(`${who}: ciphers must be a string (an OpenSSL cipher list)`);
  const names = text.split(/[:, ]+/).filter((n) => n !== '');
  if (names.length === 0) throw new TypeError(`${who}: ciphers ${JSON.stringify(text)} names no cipher suite`);
  const suites12: number[] = [];
  const suites13: CipherSuiteName[] = [];
  for (const n of names) {
    const c12 = suite12Code(n);
    if (c12 !== undefined) {
      if (!suites12.includes(c12)) suites12.push(c12);
    } else if (Object.hasOwn(SUITES, n)) {
      if (!suites13.includes(n as CipherSuiteName)) suites13.push(n as CipherSuiteName);
    } else {
      throw new TypeError(
        `${who}: unsupported cipher ${JSON.stringify(n)} in ciphers: wasmtls has ${SUPPORTED_CIPHERS} ` +
          '(TLS 1.2 by OpenSSL or IANA name; ECDHE with AEAD only)',
      );
    }
  }
  return { suites12, suites13 };
}

/** What the version and suite options come to: the range, and the suite
 * lists to set (undefined: the engine's default). */
export interface ProtocolChoice {
  min: TLSVersion;
  max: TLSVersion;
  suites12: number[] | undefined;
  suites13: CipherSuiteName[] | undefined;
}

/**
 * `minVersion`, `maxVersion`, `ciphers` and `ciphersuites` together:
 * `ciphers` without a TLS 1.2 suite raises the minimum to TLS 1.3 (the
 * engine's TLS 1.2 list cannot be empty; Node offers only TLS 1.3 then),
 * which with a maximum of TLS 1.2 cannot be met. TLS 1.3 suites come from
 * `ciphers` or `ciphersuites`, not both.
 */
export function protocolChoice(
  o: Pick<ContextPolicy, 'minVersion' | 'maxVersion' | 'ciphers' | 'ciphersuites'>,
  who: string,
): ProtocolChoice {
  const range = versionRange(o, who);
  const max = range.max;
  let min = range.min;
  let suites12: number[] | undefined;
  let suites13: CipherSuiteName[] | undefined = o.ciphersuites ? [...o.ciphersuites] : undefined;
  if (o.ciphers !== undefined) {
    const p = parseCiphers(o.ciphers, who);
    if (p.suites13.length) {
      if (suites13) throw new TypeError(`${who}: TLS 1.3 suites in both ciphers and ciphersuites: give them in one`);
      suites13 = p.suites13;
    }
    if (p.suites12.length) suites12 = p.suites12;
    else if (max === 'TLSv1.2') {
      throw new TypeError(`${who}: ciphers ${JSON.stringify(o.ciphers)} has no TLS 1.2 suite, and maxVersion is TLSv1.2`);
    } else min = 'TLSv1.3';
  }
  return { min, max, suites12, suites13 };
}

/** Refuse version and suite options that cannot be met (a TypeError). */
export function checkVersions(o: Pick<ContextPolicy, 'minVersion' | 'maxVersion' | 'ciphers' | 'ciphersuites'>, who: string): void {
  protocolChoice(o, who);
}

/** The verdict callback both roles use: the engine validated the chain
 * (policy 'chain'); refuse with its alert unless the caller said not to. */
function judge(reject: boolean, observe: ContextPolicy['onVerdict']) {
  return (_chain: Uint8Array[], conn: Connection): number => {
    const code = conn.verifyCode;
    observe?.(code, conn);
    return verdictAlert(code, reject);
  };
}

function base(o: ContextPolicy, who: string): TLSContextOptions {
  const c: TLSContextOptions = { bufferSizes: { netOut: NET_OUT } };
  const p = protocolChoice(o, who);
  // The engine's defaults (TLS 1.2 to 1.3) are left alone.
  if (p.min !== 'TLSv1.2' || p.max !== 'TLSv1.3') {
    c.minVersion = p.min;
    c.maxVersion = p.max;
  }
  if (p.suites12) c.suites12 = p.suites12;
  if (p.suites13) c.suites = p.suites13;
  if (o.ALPNProtocols) c.alpn = o.ALPNProtocols;
  if (o.groups) c.groups = o.groups;
  if (o.sigalgs) c.sigalgs = o.sigalgs;
  if (o.cert !== undefined) c.cert = o.cert;
  if (o.key !== undefined) c.key = o.key;
  if (o.certificateCompression === false) c.certificateCompression = false;
  if (o.keylog) {
    const f = o.keylog;
    c.keylog = (line: string) => f(line);
  }
  return c;
}

/** The context options of a client (connect()). */
function clientContextOptions(o: ContextPolicy, who = 'connect'): TLSContextOptions {
  const reject = o.rejectUnauthorized !== false;
  const c = base(o, who);
  if (o.ca !== undefined) {
    c.verify = 'chain';
    c.ca = o.ca;
    c.onVerify = judge(reject, o.onVerdict);
    if (o.pins) c.pins = o.pins;
  } else if (!reject) {
    // No anchors and the caller accepts any chain: still look at it so
    // opened reports the certificate (and authorized: false).
    c.verify = 'external';
    c.onVerify = () => 0;
  } else {
    throw new TypeError(
      `${who}: no trust anchors: pass \`ca\` (for the public web: rootCertificates from wasmtls/roots) or rejectUnauthorized: false`,
    );
  }
  return c;
}

/** The context options of a server (accept()). */
function serverContextOptions(o: ContextPolicy, who = 'accept'): TLSContextOptions {
  checkVersions(o, who); // before the missing-key error, as before
  if (o.cert === undefined || o.key === undefined) throw new TypeError(`${who}: \`cert\` and \`key\` are required`);
  const c = base(o, who);
  if (o.ticketKey) c.ticketKey = o.ticketKey;
  if (o.requestCert) {
    const reject = o.rejectUnauthorized !== false;
    c.clientCert = (o.requireCert ?? reject) ? 'require' : 'request';
    if (o.ca !== undefined) {
      c.verify = 'chain';
      c.ca = o.ca;
      c.onVerify = judge(reject, o.onVerdict);
    } else if (!reject) {
      c.verify = 'external';
      c.onVerify = () => 0;
    } else {
      throw new TypeError(`${who}: requestCert needs \`ca\` to check client certificates (or rejectUnauthorized: false)`);
    }
  }
  return c;
}

/** A client context (see {@link clientContextOptions}). */
export function clientContext(o: ContextPolicy, who = 'connect'): TLSContext {
  return new TLSContext(clientContextOptions(o, who));
}

/** A server context (see {@link serverContextOptions}). */
export function serverContext(o: ContextPolicy, who = 'accept'): TLSContext {
  return new TLSContext(serverContextOptions(o, who));
}
