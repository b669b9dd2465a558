/**
 * X.509 certificates (RFC 5280) and trust decisions, computed by the wasm
 * module: parse a certificate into the shape of Node's
 * `tlsSocket.getPeerCertificate()`, keep trust anchors in a {@link TrustStore}
 * filled at run time from DER or PEM, and validate a peer's chain with
 * {@link verifyChain}: path building to the anchors, signatures, validity,
 * basicConstraints, key usage, extended key usage, name constraints and the
 * host name (RFC 9525: subjectAltName only, no Common Name fallback).
 * Requires the shared module: `await init()` first.
 *
 * The profile is as strict as pyca/cryptography's and rustls-webpki's:
 * - trust anchors must be CAs (basicConstraints cA; v1 roots are refused,
 *   as `openssl verify -x509_strict` does), within their validity period,
 *   with no unknown critical extension;
 * - the end entity must not be a CA (cA, keyCertSign or nameConstraints:
 *   `INVALID_NON_CA`), must carry a key the handshake accepts
 *   (`EE_KEY_UNSUPPORTED`: RSA below 2048 bits or not whole octets, P-192,
 *   DSA, ...), well-formed dNSName SANs (`CERT_BAD_EXTENSION`), a
 *   subjectAltName that is not critical beside a non-empty subject
 *   (`SAN_CRITICALITY_INVALID`), and keyUsage digitalSignature when it has
 *   a keyUsage (a policy choice: TLS 1.3 only signs);
 * - the end entity and the intermediates: a non-negative serial
 *   (`CERT_NEGATIVE_SERIAL`), a well-formed AIA; intermediates: subject
 *   and (unless self-signed) authority key identifiers
 *   (`MISSING_SUBJECT_KEY_IDENTIFIER`, `MISSING_AUTHORITY_KEY_IDENTIFIER`),
 *   well-formed name constraints;
 * - every certificate of `chain` is a candidate issuer, in any order.
 *
 * @example
 * ```ts
 * import { init } from 'wasmtls/loader';
 * import { TrustStore, verifyChain, parseCertificate } from 'wasmtls/x509';
 * await init();
 * const anchors = new TrustStore().addPEM(caPem);
 * const v = verifyChain({ chain: [leafDer, intermediateDer], anchors, host: 'example.com' });
 * if (!v.authorized) throw new Error(`${v.authorizationError}: ${v.reason}`);
 * parseCertificate(leafDer).subject.CN;
 * ```
 * @module
 */
import { abytes, aint, cString } from './bytes.js';
import { pemCertificates as pemCerts } from './pem.js';
import { digest } from './hash.js';
import { track, untrack } from './handle.js';
import { wasm, type Wasm } from './loader.js';

/** Name attributes by OpenSSL short name; repeated attributes become arrays. */
export type CertName = Record<string, string | string[]>;

/** A certificate as Node's `getPeerCertificate(true)` shows it (the
 * subset wasmtls computes; no SHA-1 `fingerprint`). */
export interface PeerCertificate {
  /** The subject's attributes by OpenSSL's short names (`CN`, `O`, ...). */
  subject: CertName;
  /** The issuer's attributes, as `subject`. */
  issuer: CertName;
  /** "DNS:a.example, IP Address:192.0.2.1" (absent without SAN). */
  subjectaltname?: string;
  /** basicConstraints cA. */
  ca: boolean;
  /** "Mar 25 12:00:00 2026 GMT" (OpenSSL's format). */
  valid_from: string;
  /** The end of the validity period, in the same format. */
  valid_to: string;
  /** Uppercase hex of the serial number. */
  serialNumber: string;
  /** SHA-256 of the DER, uppercase hex pairs joined by ':'. */
  fingerprint256: string;
  /** SHA-256 of the SubjectPublicKeyInfo (an RFC 7469 pin), base64. */
  pubkeyPin: string;
  /** The DER encoding. */
  raw: Uint8Array;
  /** The next certificate up the chain; a self-signed root points to itself. */
  issuerCertificate?: PeerCertificate;
}

/** Whose certificate is checked: a server's (serverAuth) or a client's. */
export type Purpose = 'server' | 'client';

/** What {@link verifyChain} checks a chain against. */
export interface VerifyOptions {
  /** DER certificates as the peer sent them, end-entity first. */
  chain: Uint8Array[];
  /** Trust anchors: a store, DER certificates, or PEM text. */
  anchors: TrustStore | Uint8Array[] | string;
  /** Reference identity: a DNS name or an IP literal. Omitted: not checked. */
  host?: string;
  /** Default 'server'. */
  purpose?: Purpose;
  /** Verification time (ms since the epoch, or a Date). Default: now. */
  time?: number | Date;
  /** Maximum certificates in a path, anchor excluded (default 8, max 16). */
  maxDepth?: number;
  /** SPKI SHA-256 pins (32 bytes each): one must match a certificate of
   * the validated path or its anchor. */
  pins?: Uint8Array[];
  /** TESTS AND DEBUGGING ONLY: skip signature checks. Anyone can then
   * forge a chain that passes. */
  insecureSkipSignatureCheck?: boolean;
}

/** {@link verifyChain}'s verdict. */
export interface VerifyResult {
  /** Whether a path to an anchor validated (and the name and pins matched). */
  authorized: boolean;
  /** Searchable code, e.g. "CERT_HAS_EXPIRED" (absent when authorized). */
  authorizationError?: string;
  /** A sentence for people. */
  reason: string;
  /** TLS alert to send (RFC 8446 6.2), 0 when authorized. */
  alert: number;
  /** Chain index of the certificate at fault, -1 if none. */
  certIndex: number;
  /** Chain indexes of the validated path, leaf first. */
  path: number[];
  /** The anchor's DER (authorized only). */
  anchor?: Uint8Array;
}

// Mirrors of crypto-src/inc/wt_x509.h.
const INFO_WORDS = 31;
const GN_EMAIL = 1;
const GN_DNS = 2;
const GN_DIRNAME = 4;
const GN_URI = 6;
const GN_IP = 7;
const PURPOSE = { server: 1, client: 2 } as const;
const INSECURE_SKIP_SIGNATURES = 1;
const ERR_PIN = -151;

/* @__PURE__ */
const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Thrown for a certificate that does not parse. */
export class CertificateError extends Error {
  /** Searchable code naming the fault, as {@link VerifyResult.authorizationError} does. */
  readonly code: string;
  /** The TLS alert a peer sending it gets (RFC 8446 6.2). */
  readonly alert: number;
  constructor(code: string, reason: string, alert: number) {
    super(`${code}: ${reason}`);
    this.name = 'CertificateError';
    this.code = code;
    this.alert = alert;
  }
}

function cstr(w: Wasm, p: number): string {
  return cString(w.u8(), p);
}

function errInfo(w: Wasm, code: number): { name: string; reason: string; alert: number } {
  return {
    name: cstr(w, w.exports.wt_x_x509_err_name(code)),
    reason: cstr(w, w.exports.wt_x_x509_err_reason(code)),
    alert: w.exports.wt_x_x509_err_alert(code),
  };
}

function oidText(b: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const x of b) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function decodeString(tag: number, b: Uint8Array): string {
  switch (tag) {
    case 0x1e: {
      // BMPString: UCS-2 big-endian
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode((b[i] << 8) | b[i + 1]);
      return s;
    }
    case 0x1c: {
      // UniversalString: UCS-4 big-endian
      let s = '';
      for (let i = 0; i + 3 < b.length; i += 4)
        s += String.fromCodePoint(((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0);
      return s;
    }
    case 0x14: // TeletexString, read as Latin-1 (as OpenSSL does)
      return String.fromCharCode(...b);
    default:
      return new TextDecoder().decode(b);
  }
}

function hex(b: Uint8Array, sep = ''): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(sep);
}

function b64(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function formatIp(b: Uint8Array): string {
  if (b.length === 4) return b.join('.');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] << 8) | b[i + 1]).toString(16).toUpperCase());
  return g.join(':');
}

function formatTime(sec: number): string {
  const d = new Date(sec * 1000);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

// Serial as OpenSSL's BN_bn2hex prints it: magnitude, no leading zero octet.
function serialHex(b: Uint8Array): string {
  if (b.length && b[0] & 0x80) {
    // Negative: two's complement magnitude.
    const m = Uint8Array.from(b, (x) => ~x & 0xff);
    for (let i = m.length - 1; i >= 0; i--) {
      m[i] = (m[i] + 1) & 0xff;
      if (m[i] !== 0) break;
    }
    let j = 0;
    while (j < m.length - 1 && m[j] === 0) j++;
    return `-${hex(m.subarray(j))}`;
  }
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const s = hex(b.subarray(i));
  return s === '00' ? '0' : s;
}

// Parse der in wasm; returns the flattened info and runs fn with the
// pointers while they are live.
function withParsed<T>(w: Wasm, der: Uint8Array, fn: (c: number, d: number, info: Uint32Array) => T): T {
  const d = w.copyIn(der);
  const c = w.alloc(w.exports.wt_x509_cert_size());
  try {
    const r = w.exports.wt_x_x509_parse(c, d, der.length);
    if (r !== 0) {
      const e = errInfo(w, r);
      throw new CertificateError(e.name, e.reason, e.alert);
    }
    const o = w.scratch(INFO_WORDS * 4);
    w.exports.wt_x_x509_info(c, o);
    const info = new Uint32Array(w.u8().slice(o, o + INFO_WORDS * 4).buffer);
    return fn(c, d, info);
  } finally {
    w.free(c);
    w.free(d);
  }
}

function readName(w: Wasm, d: number, der: Uint8Array, off: number, len: number): CertName {
  const out: CertName = Object.create(null) as CertName;
  const o = w.scratch(20);
  for (let i = 0; w.exports.wt_x_x509_name_attr(d, off, len, i, o); i++) {
    const [ooff, olen, tag, voff, vlen] = new Uint32Array(w.u8().slice(o, o + 20).buffer);
    const oid = oidText(der.subarray(ooff, ooff + olen));
    const key = SHORT[oid] ?? oid;
    const val = decodeString(tag, der.subarray(voff, voff + vlen));
    const prev = out[key];
    out[key] = prev === undefined ? val : Array.isArray(prev) ? [...prev, val] : [prev, val];
  }
  return out;
}

// Node prints an alternative name as is when "safe", else quoted with the
// unsafe characters as \u00XX (ncrypto PrintAltName, UTF-8 variant).
function altName(s: string): string {
  if (!/["\\,'\x00-\x1f\x7f]/.test(s)) return s;
  return `"${s.replace(/["\\,'\x00-\x1f\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

// A directoryName as OpenSSL's RFC 2253 form (most specific RDN first,
// values escaped per RFC 2253 2.4); multi-valued RDNs are joined by ','.
function rfc2253(w: Wasm, d: number, der: Uint8Array, off: number, len: number): string {
  const parts: string[] = [];
  const o = w.scratch(20);
  for (let i = 0; w.exports.wt_x_x509_name_attr(d, off, len, i, o); i++) {
    const [ooff, olen, tag, voff, vlen] = new Uint32Array(w.u8().slice(o, o + 20).buffer);
    const oid = oidText(der.subarray(ooff, ooff + olen));
    const key = SHORT[oid];
    let val: string;
    if (key === undefined) {
      // Unknown attribute: '#' and the hex of the value's DER element.
      const hdr = vlen < 128 ? 2 : vlen < 256 ? 3 : 4;
      val = `#${Array.from(der.subarray(voff - hdr, voff + vlen), (x) => x.toString(16).padStart(2, '0')).join('')}`;
    } else {
      val = decodeString(tag, der.subarray(voff, voff + vlen))
        .replace(/[,+"\\<>;]/g, (ch) => `\\${ch}`)
        .replace(/^([#\s])/, '\\$1')
        .replace(/ $/, '\\ ');
    }
    parts.push(`${key ?? oid}=${val}`);
  }
  return parts.reverse().join(',');
}

function readSan(w: Wasm, c: number, d: number, der: Uint8Array): string | undefined {
  const parts: string[] = [];
  const o = w.scratch(12);
  for (let i = 0; w.exports.wt_x_x509_san(d, c, i, o); i++) {
    const [form, off, len] = new Uint32Array(w.u8().slice(o, o + 12).buffer);
    const v = der.subarray(off, off + len);
    const text = new TextDecoder().decode(v);
    if (form === GN_DNS) parts.push(`DNS:${altName(text)}`);
    else if (form === GN_IP) parts.push(`IP Address:${formatIp(v)}`);
    else if (form === GN_EMAIL) parts.push(`email:${altName(text)}`);
    else if (form === GN_URI) parts.push(`URI:${altName(text)}`);
    else if (form === GN_DIRNAME) parts.push(`DirName:${altName(rfc2253(w, d, der, off, len))}`);
    else parts.push('othername:<unsupported>');
  }
  return parts.length ? parts.join(', ') : undefined;
}

/** Parse one DER certificate into the `getPeerCertificate()` shape.
 * Throws {@link CertificateError} (code e.g. "CERT_DECODE_ERROR") when it
 * does not parse. */
export function parseCertificate(der: Uint8Array): PeerCertificate {
  abytes(der, 'parseCertificate der');
  const w = wasm();
  return withParsed(w, der, (c, d, info) => {
    const time = (lo: number, hi: number) => (hi | 0) * 4294967296 + lo;
    const pinPtr = w.scratch(32);
    w.exports.wt_x_x509_spki_sha256(d, c, pinPtr);
    const pin = w.copyOut(pinPtr, 32);
    const cert: PeerCertificate = {
      subject: readName(w, d, der, info[11], info[12]),
      issuer: readName(w, d, der, info[9], info[10]),
      ca: info[21] === 1,
      valid_from: formatTime(time(info[13], info[14])),
      valid_to: formatTime(time(info[15], info[16])),
      serialNumber: serialHex(der.subarray(info[4], info[4] + info[5])),
      fingerprint256: hex(digest('SHA-256', der), ':'),
      pubkeyPin: b64(pin),
      raw: der.slice(),
    };
    const san = readSan(w, c, d, der);
    if (san !== undefined) cert.subjectaltname = san;
    return cert;
  });
}

/** Parse a chain (leaf first) and link each certificate to its issuer by
 * `issuerCertificate`, as `getPeerCertificate(true)` does: along `path`
 * (a {@link VerifyResult.path}) when given, then to `anchor`. Without a path
 * the chain order is followed. */
export function parseChain(chain: Uint8Array[], path?: number[], anchor?: Uint8Array): PeerCertificate {
  if (chain.length === 0) throw new RangeError('parseChain: empty chain');
  const order = path?.length ? path : chain.map((_, i) => i);
  const certs = order.map((i) => parseCertificate(chain[i]));
  if (anchor) certs.push(parseCertificate(anchor));
  for (let i = 0; i + 1 < certs.length; i++) certs[i].issuerCertificate = certs[i + 1];
  const top = certs[certs.length - 1];
  if (JSON.stringify(top.subject) === JSON.stringify(top.issuer)) top.issuerCertificate = top;
  return certs[0];
}

/** SHA-256 of a certificate's SubjectPublicKeyInfo (RFC 7469 pin). */
export function spkiSha256(der: Uint8Array): Uint8Array {
  abytes(der, 'spkiSha256 der');
  const w = wasm();
  return withParsed(w, der, (c, d) => {
    const o = w.scratch(32);
    w.exports.wt_x_x509_spki_sha256(d, c, o);
    return w.copyOut(o, 32);
  });
}

/** Split PEM text into the DER of each "CERTIFICATE" block (decoded by
 * the one PEM decoder, core/pem.ts). */
export function pemCertificates(pem: string): Uint8Array[] {
  return pemCerts(pem);
}

/**
 * Trust anchors, kept in wasm memory in one block (crypto-src's
 * wt_x509_store), filled at run time. Call `dispose()` when done (or rely
 * on garbage collection where the runtime has FinalizationRegistry).
 */
export class TrustStore {
  private readonly w: Wasm;
  private ptr: number;
  private cap: number;

  /** @param capacity initial block size in bytes (grows as needed) */
  constructor(capacity = 16384) {
    aint(capacity, 'TrustStore capacity', 16, 0x7fffffff);
    this.w = wasm();
    this.cap = capacity;
    this.ptr = this.w.alloc(capacity);
    this.w.exports.wt_x_x509_store_init(this.ptr, capacity);
    track(this, this.w, this.ptr, capacity);
  }

  /** @internal the store's address in wasm memory */
  get handle(): number {
    if (this.ptr === 0) throw new Error('wasmtls: TrustStore used after dispose()');
    return this.ptr;
  }

  /** Number of anchors. */
  get size(): number {
    return this.w.exports.wt_x_x509_store_count(this.handle);
  }

  private grow(need: number): void {
    const used = this.w.exports.wt_x_x509_store_used(this.handle);
    let cap = this.cap;
    while (cap - used < need) cap *= 2;
    if (cap === this.cap) return;
    const p = this.w.alloc(cap);
    const u = this.w.u8();
    u.copyWithin(p, this.ptr, this.ptr + used);
    // The header records its capacity: rewrite it for the bigger block.
    new DataView(u.buffer).setUint32(p + 4, cap, true);
    untrack(this);
    this.w.free(this.ptr);
    this.ptr = p;
    this.cap = cap;
    track(this, this.w, this.ptr, cap);
  }

  /** Add a DER certificate as an anchor (duplicates are ignored). Throws
   * {@link CertificateError} if it does not parse. */
  addDER(der: Uint8Array): this {
    abytes(der, 'TrustStore.addDER');
    this.grow(der.length + 64);
    const d = this.w.copyIn(der);
    try {
      const r = this.w.exports.wt_x_x509_store_add_der(this.handle, d, der.length);
      if (r !== 0) {
        const e = errInfo(this.w, r);
        throw new CertificateError(e.name, e.reason, e.alert);
      }
    } finally {
      this.w.free(d);
    }
    return this;
  }

  /** Add every CERTIFICATE block of PEM text (e.g. a CA bundle). */
  addPEM(pem: string): this {
    if (typeof pem !== 'string') throw new TypeError('TrustStore.addPEM: expected a string');
    const bytes = new TextEncoder().encode(pem);
    this.grow(bytes.length + 64);
    const p = this.w.copyIn(bytes);
    const added = this.w.alloc(4);
    try {
      const r = this.w.exports.wt_x_x509_store_add_pem(this.handle, p, bytes.length, added);
      if (r !== 0) {
        const e = errInfo(this.w, r);
        throw new CertificateError(e.name, e.reason, e.alert);
      }
    } finally {
      this.w.free(added);
      this.w.free(p);
    }
    return this;
  }

  /** The idx-th anchor's DER. */
  get(idx: number): Uint8Array | undefined {
    const l = this.w.scratch(4);
    const p = this.w.exports.wt_x_x509_store_get(this.handle, idx, l) >>> 0;
    if (p === 0) return undefined;
    const len = new DataView(this.w.u8().buffer).getUint32(l, true);
    return this.w.copyOut(p, len);
  }

  /** Free the store's wasm memory now. */
  dispose(): void {
    if (this.ptr === 0) return;
    untrack(this);
    this.w.free(this.ptr);
    this.ptr = 0;
  }
}

/** Check only that `cert` was signed by `issuer`'s key (a root's
 * self-signature when both are the same). Returns null when it verifies,
 * else the code (e.g. "CERT_SIGNATURE_FAILURE"). */
export function checkSignature(cert: Uint8Array, issuer: Uint8Array): string | null {
  abytes(cert, 'checkSignature cert');
  abytes(issuer, 'checkSignature issuer');
  const w = wasm();
  const a = w.copyIn(cert);
  const b = w.copyIn(issuer);
  try {
    const r = w.exports.wt_x_x509_check_signature(a, cert.length, b, issuer.length);
    return r === 0 ? null : errInfo(w, r).name;
  } finally {
    w.free(a);
    w.free(b);
  }
}

/**
 * Validate a peer's chain against trust anchors (RFC 5280 section 6, RFC
 * 9525). Never throws for a bad chain: the verdict is in the result, with
 * an `authorizationError` code a user can search for and the TLS alert a
 * peer would be sent.
 */
export function verifyChain(opts: VerifyOptions): VerifyResult {
  const { chain, anchors } = opts;
  if (!Array.isArray(chain)) throw new TypeError('verifyChain: chain must be an array of Uint8Array');
  for (const [i, c] of chain.entries()) abytes(c, `verifyChain chain[${i}]`);
  const purpose = opts.purpose ?? 'server';
  if (!(purpose in PURPOSE)) throw new TypeError(`verifyChain: purpose must be 'server' or 'client', got ${String(purpose)}`);
  const time = opts.time === undefined ? 0 : opts.time instanceof Date ? opts.time.getTime() : opts.time;
  aint(time, 'verifyChain time', 0, Number.MAX_SAFE_INTEGER);
  const maxDepth = opts.maxDepth ?? 0;
  aint(maxDepth, 'verifyChain maxDepth', 0, 16);
  const w = wasm();

  let store: TrustStore;
  let own = false;
  if (anchors instanceof TrustStore) {
    store = anchors;
  } else {
    store = new TrustStore();
    own = true;
    if (typeof anchors === 'string') store.addPEM(anchors);
    else if (Array.isArray(anchors)) for (const a of anchors) store.addDER(a);
    else {
      store.dispose();
      throw new TypeError('verifyChain: anchors must be a TrustStore, DER array or PEM string');
    }
  }
  const ptrs = chain.map((c) => w.copyIn(c));
  const blobs = w.alloc(8 * Math.max(1, chain.length));
  const host = opts.host === undefined ? undefined : new TextEncoder().encode(opts.host);
  const hp = host ? w.copyIn(host) : 0;
  const res = w.alloc(w.exports.wt_x509_result_size());
  try {
    const dv = new DataView(w.u8().buffer);
    chain.forEach((c, i) => {
      dv.setUint32(blobs + 8 * i, ptrs[i], true);
      dv.setUint32(blobs + 8 * i + 4, c.length, true);
    });
    const flags = opts.insecureSkipSignatureCheck ? INSECURE_SKIP_SIGNATURES : 0;
    let code = w.exports.wt_x_x509_verify(
      blobs,
      chain.length,
      store.handle,
      hp,
      host ? host.length : 0,
      PURPOSE[purpose],
      time,
      maxDepth,
      flags,
      res,
    );
    const o = w.scratch(20 * 4);
    w.exports.wt_x_x509_result_info(res, o);
    const r = new Int32Array(w.u8().slice(o, o + 80).buffer);
    const path = Array.from(r.subarray(4, 4 + r[3]));
    const anchor = r[2] >= 0 ? store.get(r[2]) : undefined;
    let certIndex = r[1];
    if (code === 0 && opts.pins && opts.pins.length) {
      const pinned = [...path.map((i) => chain[i]), ...(anchor ? [anchor] : [])].some((c) => {
        const h = spkiSha256(c);
        return opts.pins!.some((p) => p.length === 32 && h.every((x, i) => x === p[i]));
      });
      if (!pinned) {
        code = ERR_PIN;
        certIndex = 0;
      }
    }
    const e = errInfo(w, code);
    const out: VerifyResult = { authorized: code === 0, reason: e.reason, alert: e.alert, certIndex, path: code === 0 ? path : [] };
    if (code !== 0) out.authorizationError = e.name;
    else if (anchor) out.anchor = anchor;
    return out;
  } finally {
    w.free(res);
    if (hp) w.free(hp);
    w.free(blobs);
    for (const p of ptrs) w.free(p);
    if (own) store.dispose();
  }
}
