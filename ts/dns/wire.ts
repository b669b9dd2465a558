/**
 * The DNS message format (RFC 1035 4.1) as far as a DNS-over-HTTPS client
 * needs it: one question out, a response read back strictly, and the
 * record types an HTTPS-record lookup meets on its way: A, AAAA, CNAME,
 * SVCB and HTTPS (RFC 9460), OPT (RFC 6891) passed over.
 *
 * Every read goes through bounds checks that throw a {@link DnsError}
 * with a code naming what was wrong; nothing here loops on the input
 * without a bound (a compression pointer may only point backwards, so a
 * name ends; its hops are counted besides).
 * @module
 */

/** Codes a {@link DnsError} carries. */
export type DnsErrorCode =
  /** A length or count runs past the end of the message or record. */
  | 'ERR_DNS_SHORT'
  /** Bytes left after the last record the header counts. */
  | 'ERR_DNS_TRAILING_BYTES'
  /** A label longer than 63 octets, or an empty label where one is needed (RFC 1035 2.3.4). */
  | 'ERR_DNS_LABEL_TOO_LONG'
  /** A name longer than 255 octets in wire form (RFC 1035 2.3.4). */
  | 'ERR_DNS_NAME_TOO_LONG'
  /** A compression pointer that does not point strictly backwards (RFC 1035 4.1.4: "a prior occurrence"), or too many of them. */
  | 'ERR_DNS_BAD_POINTER'
  /** A label type other than a length or a pointer (0x40, 0x80: RFC 6891 6.1 retired them). */
  | 'ERR_DNS_BAD_LABEL_TYPE'
  /** A compression pointer where the format forbids one (SVCB TargetName, RFC 9460 2.2). */
  | 'ERR_DNS_COMPRESSED_NAME'
  /** The message is a query, or its opcode is not QUERY. */
  | 'ERR_DNS_NOT_A_RESPONSE'
  /** The response's ID is not the query's. */
  | 'ERR_DNS_ID_MISMATCH'
  /** The response's question is not the query's. */
  | 'ERR_DNS_QUESTION_MISMATCH'
  /** TC bit set: RFC 8484 does not truncate (the answer fits an HTTP body), so a truncated answer is refused, not retried. */
  | 'ERR_DNS_TRUNCATED'
  /** An RCODE other than NOERROR and NXDOMAIN (SERVFAIL, REFUSED, ...). */
  | 'ERR_DNS_RCODE'
  /** An RDATA shaped wrong for its type (A not 4 octets, CNAME with bytes after the name, ...). */
  | 'ERR_DNS_BAD_RDATA'
  /** An SVCB/HTTPS RDATA that RFC 9460 2.2 and 7 call malformed. */
  | 'ERR_DNS_BAD_SVCB'
  /** An `ech` SvcParam that is no ECHConfigList (draft-ietf-tls-esni 4). */
  | 'ERR_DNS_BAD_ECH'
  /** A CNAME or AliasMode chain longer than the bound, or a loop. */
  | 'ERR_DNS_CHAIN'
  /** The DoH server's HTTP answer is not a DNS message (status, media type, size). */
  | 'ERR_DOH_HTTP'
  /** A name or argument the caller passed cannot be queried. */
  | 'ERR_DNS_INVALID_ARG';

/** A malformed, hostile or failed DNS answer, by code (see {@link DnsErrorCode}). */
export class DnsError extends Error {
  /** What was wrong, by name. */
  readonly code: DnsErrorCode;
  constructor(code: DnsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsError';
    this.code = code;
  }
}

/** Record types this module decodes (RFC 1035 3.2.2, RFC 3596, RFC 6891, RFC 9460). */
export const RRType = { A: 1, CNAME: 5, AAAA: 28, OPT: 41, SVCB: 64, HTTPS: 65 } as const;
/** Class IN (RFC 1035 3.2.4). */
const CLASS_IN = 1;

/** SvcParamKeys of RFC 9460 14.3.2 this module reads the value of. */
export const SvcParamKey = {
  mandatory: 0,
  alpn: 1,
  noDefaultAlpn: 2,
  port: 3,
  ipv4hint: 4,
  ech: 5,
  ipv6hint: 6,
} as const;
const KNOWN_KEYS: ReadonlySet<number> = new Set(Object.values(SvcParamKey));

/** RFC 1035 2.3.4: labels 63 octets or less, names 255 octets or less. */
const MAX_LABEL = 63;
const MAX_NAME = 255;
/** Pointers one name may follow. Each must point strictly backwards, so a
 * name ends anyway; the count bounds the work a hostile message asks for
 * (a name of 127 one-octet labels, each reached by its own pointer, is
 * the longest a 255-octet name can be). */
const MAX_POINTER_HOPS = 127;

/** One SVCB or HTTPS record's RDATA, decoded (RFC 9460 2.2). */
export interface SvcbRecord {
  /** SvcPriority: 0 is AliasMode, anything else ServiceMode (lower is preferred). */
  readonly priority: number;
  /** TargetName in presentation form without the final dot; "" for the root ("." in the zone: the owner name, RFC 9460 2.5). */
  readonly targetName: string;
  /** Every SvcParam as sent, in the (strictly increasing) key order of the wire. */
  readonly params: ReadonlyMap<number, Uint8Array>;
  /** `mandatory` (key 0): keys a client must understand to use this record. */
  readonly mandatory?: readonly number[];
  /** `alpn` (key 1): protocol IDs, as byte strings decoded as Latin-1. */
  readonly alpn?: readonly string[];
  /** `no-default-alpn` (key 2) present. */
  readonly noDefaultAlpn: boolean;
  /** `port` (key 3). */
  readonly port?: number;
  /** `ipv4hint` (key 4), dotted quads. */
  readonly ipv4hint?: readonly string[];
  /** `ech` (key 5): the ECHConfigList, length prefix included, as the TLS ClientHello code takes it. */
  readonly ech?: Uint8Array;
  /** `ipv6hint` (key 6), RFC 5952 text. */
  readonly ipv6hint?: readonly string[];
}

/** A resource record of a response. `data` is decoded for the types above, raw RDATA otherwise. */
export interface ResourceRecord {
  /** Owner name, presentation form, no final dot ("" for the root). */
  readonly name: string;
  /** TYPE (RFC 1035 3.2.2; 64 SVCB, 65 HTTPS). */
  readonly type: number;
  /** CLASS (1: IN). */
  readonly class: number;
  /** TTL in seconds. */
  readonly ttl: number;
  /** The RDATA as sent (a view into the message). */
  readonly rdata: Uint8Array;
  /** A/AAAA: the address text; CNAME: the target name; SVCB/HTTPS: the record; else undefined. */
  readonly data?: string | SvcbRecord;
}

/** A question (RFC 1035 4.1.2). */
export interface Question {
  /** QNAME, presentation form, no final dot. */
  readonly name: string;
  /** QTYPE. */
  readonly type: number;
  /** QCLASS (1: IN). */
  readonly class: number;
}

/** A parsed DNS message (RFC 1035 4.1.1). */
export interface DnsMessage {
  /** The message ID. */
  readonly id: number;
  /** QR bit: this is a response. */
  readonly response: boolean;
  /** OPCODE (0: a standard query). */
  readonly opcode: number;
  /** TC bit. */
  readonly truncated: boolean;
  /** RCODE (0 NOERROR, 3 NXDOMAIN, ...). */
  readonly rcode: number;
  /** The question section. */
  readonly questions: readonly Question[];
  /** The answer section. */
  readonly answers: readonly ResourceRecord[];
  /** The authority section. */
  readonly authority: readonly ResourceRecord[];
  /** The additional section (EDNS's OPT record among them). */
  readonly additional: readonly ResourceRecord[];
}

/** RCODE names of RFC 1035 4.1.1 and RFC 6895 2.3, for messages. */
const RCODES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

// ---- names ---------------------------------------------------------------------

/** A label in presentation form: letters, digits, '-' and '_' as they are,
 * '.' and '\\' escaped, anything else as \DDD (RFC 1035 5.1). */
function labelText(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return s;
}

/** Names compare case-insensitively in ASCII only (RFC 4343). */
export function sameName(a: string, b: string): boolean {
  const fold = (s: string): string => s.replace(/\.$/, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  return fold(a) === fold(b);
}

/**
 * The wire form of a name given in presentation form ("example.com" or
 * "example.com."; no escapes: a hostname). Refuses empty labels, labels
 * over 63 octets, names over 255, and non-ASCII (pass the A-label of an
 * internationalized name, RFC 5890).
 */
export function encodeName(name: string): Uint8Array {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const out: number[] = [];
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      if (label === '') throw new DnsError('ERR_DNS_INVALID_ARG', `empty label in ${JSON.stringify(name)}`);
      if (label.length > MAX_LABEL)
        throw new DnsError(
          'ERR_DNS_LABEL_TOO_LONG',
          `label of ${label.length} octets in ${JSON.stringify(name)} (RFC 1035 2.3.4: 63 at most)`,
        );
      out.push(label.length);
      for (let i = 0; i < label.length; i++) {
        const c = label.charCodeAt(i);
        if (c <= 0x20 || c >= 0x7f || c === 0x5c)
          throw new DnsError('ERR_DNS_INVALID_ARG', `${JSON.stringify(name)} is not an ASCII hostname (pass the A-label of an IDN)`);
        out.push(c);
      }
    }
  }
  out.push(0);
  if (out.length > MAX_NAME)
    throw new DnsError('ERR_DNS_NAME_TOO_LONG', `${JSON.stringify(name)} takes ${out.length} octets (RFC 1035 2.3.4: 255 at most)`);
  return Uint8Array.from(out);
}

/**
 * Read the name at `off` of `msg`: its presentation form and the offset
 * after it (after the first pointer, if it has one). `compression` false
 * refuses pointers (SVCB TargetName, RFC 9460 2.2).
 */
export function readName(msg: Uint8Array, off: number, compression = true): { name: string; end: number } {
  const labels: string[] = [];
  let wireLength = 0;
  let hops = 0;
  let end = -1;
  // A pointer must point before the name's earliest octet read so far:
  // strictly backwards, so every hop moves down and the walk ends.
  let floor = off;
  let p = off;
  for (;;) {
    if (p >= msg.length) throw new DnsError('ERR_DNS_SHORT', `name at offset ${off} runs past the end of the message`);
    const len = msg[p];
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (!compression)
        throw new DnsError('ERR_DNS_COMPRESSED_NAME', `compressed name at offset ${off} where RFC 9460 2.2 forbids compression`);
      if (p + 1 >= msg.length) throw new DnsError('ERR_DNS_SHORT', `compression pointer at offset ${p} cut off`);
      const target = ((len & 0x3f) << 8) | msg[p + 1];
      if (end < 0) end = p + 2;
      if (target >= floor)
        throw new DnsError(
          'ERR_DNS_BAD_POINTER',
          `compression pointer at offset ${p} to ${target} does not point backwards (RFC 1035 4.1.4: a prior occurrence)`,
        );
      if (++hops > MAX_POINTER_HOPS)
        throw new DnsError('ERR_DNS_BAD_POINTER', `name at offset ${off} follows more than ${MAX_POINTER_HOPS} pointers`);
      floor = target;
      p = target;
      continue;
    }
    if (kind !== 0) throw new DnsError('ERR_DNS_BAD_LABEL_TYPE', `label type 0x${kind.toString(16)} at offset ${p}`);
    wireLength += len + 1;
    if (wireLength > MAX_NAME)
      throw new DnsError('ERR_DNS_NAME_TOO_LONG', `name at offset ${off} is over ${MAX_NAME} octets (RFC 1035 2.3.4)`);
    if (len === 0) {
      if (end < 0) end = p + 1;
      return { name: labels.join('.'), end };
    }
    if (p + 1 + len > msg.length) throw new DnsError('ERR_DNS_SHORT', `label at offset ${p} runs past the end of the message`);
    labels.push(labelText(msg.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
}

// ---- queries -------------------------------------------------------------------

/** Options of {@link encodeQuery}. */
export interface QueryOptions {
  /** The message ID (default: random; RFC 8484 4.1 asks GET requests for 0, to be cacheable). */
  id?: number;
  /** Add an EDNS(0) OPT record (RFC 6891) with this UDP payload size; default 1232, false for none. */
  edns?: number | false;
}

/** A query: RD set (RFC 1035 4.1.1, recursion desired), one question of class IN. */
export function encodeQuery(name: string, type: number, options: QueryOptions = {}): { id: number; bytes: Uint8Array<ArrayBuffer> } {
  const id = options.id ?? globalThis.crypto.getRandomValues(new Uint16Array(1))[0];
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new DnsError('ERR_DNS_INVALID_ARG', `DNS ID ${id} is not a 16-bit integer`);
  if (!Number.isInteger(type) || type < 1 || type > 0xffff)
    throw new DnsError('ERR_DNS_INVALID_ARG', `record type ${type} is not a 16-bit integer`);
  const qname = encodeName(name);
  const edns = options.edns ?? 1232;
  const opt = edns === false ? new Uint8Array(0) : Uint8Array.of(0, 0, RRType.OPT, edns >> 8, edns & 0xff, 0, 0, 0, 0, 0, 0);
  const bytes = new Uint8Array(12 + qname.length + 4 + opt.length);
  const v = new DataView(bytes.buffer);
  v.setUint16(0, id);
  v.setUint16(2, 0x0100); // RD
  v.setUint16(4, 1);
  v.setUint16(10, edns === false ? 0 : 1);
  bytes.set(qname, 12);
  v.setUint16(12 + qname.length, type);
  v.setUint16(14 + qname.length, CLASS_IN);
  bytes.set(opt, 16 + qname.length);
  return { id, bytes };
}

// ---- responses -----------------------------------------------------------------

function u16(msg: Uint8Array, p: number): number {
  if (p + 2 > msg.length) throw new DnsError('ERR_DNS_SHORT', `message ends at ${msg.length}, a 16-bit field at ${p} does not fit`);
  return (msg[p] << 8) | msg[p + 1];
}

function ipv4(b: Uint8Array): string {
  return Array.from(b).join('.');
}

/** RFC 5952 4: lower case, leading zeros dropped, the longest run (of two or more) of zero groups as "::". */
function ipv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/**
 * Check an `ech` SvcParam value: an ECHConfigList (draft-ietf-tls-esni
 * 4: `ECHConfig ECHConfigList<4..2^16-1>`, each ECHConfig a version and
 * a length-prefixed body). Only the framing is checked: versions a
 * client does not know are for it to skip (draft 4.1), not an error here.
 */
export function checkEchConfigList(v: Uint8Array): void {
  if (v.length < 2) throw new DnsError('ERR_DNS_BAD_ECH', 'ech: no ECHConfigList length');
  const len = u16(v, 0);
  if (len + 2 !== v.length)
    throw new DnsError('ERR_DNS_BAD_ECH', `ech: ECHConfigList says ${len} octets, the SvcParam holds ${v.length - 2}`);
  if (len < 4) throw new DnsError('ERR_DNS_BAD_ECH', 'ech: ECHConfigList shorter than one ECHConfig header (4 octets)');
  for (let p = 2; p < v.length; ) {
    if (p + 4 > v.length) throw new DnsError('ERR_DNS_BAD_ECH', `ech: ECHConfig header at ${p} cut off`);
    const n = u16(v, p + 2);
    if (p + 4 + n > v.length)
      throw new DnsError('ERR_DNS_BAD_ECH', `ech: ECHConfig at ${p} says ${n} octets, ${v.length - p - 4} are left`);
    p += 4 + n;
  }
}

/**
 * Decode SVCB/HTTPS RDATA (RFC 9460 2.2) and refuse what 2.2 and 7 call
 * malformed: keys not strictly increasing (so no duplicate), a value
 * shaped wrong for its key, `mandatory` listing itself, a key twice, or a
 * key the record does not carry (8). AliasMode records' SvcParams are
 * ignored, as 2.4.2 asks ("recipients MUST ignore any SvcParams").
 */
export function decodeSvcb(rdata: Uint8Array): SvcbRecord {
  const bad = (m: string): DnsError => new DnsError('ERR_DNS_BAD_SVCB', m);
  if (rdata.length < 3) throw bad(`RDATA of ${rdata.length} octets (SvcPriority and TargetName take 3 at least)`);
  const priority = u16(rdata, 0);
  let target: { name: string; end: number };
  try {
    target = readName(rdata, 2, false);
  } catch (e) {
    if (e instanceof DnsError && e.code === 'ERR_DNS_SHORT') throw bad('TargetName runs past the end of the RDATA');
    throw e;
  }
  const params = new Map<number, Uint8Array>();
  if (priority === 0) return { priority, targetName: target.name, params, noDefaultAlpn: false };
  let last = -1;
  for (let p = target.end; p < rdata.length; ) {
    if (p + 4 > rdata.length) throw bad(`SvcParam header at offset ${p} cut off`);
    const key = u16(rdata, p);
    const len = u16(rdata, p + 2);
    if (key <= last) throw bad(`SvcParamKey ${key} after ${last}: keys must be strictly increasing (RFC 9460 2.2)`);
    if (p + 4 + len > rdata.length) throw bad(`SvcParam ${key} says ${len} octets, ${rdata.length - p - 4} are left`);
    params.set(key, rdata.subarray(p + 4, p + 4 + len));
    last = key;
    p += 4 + len;
  }
  const rec: {
    priority: number;
    targetName: string;
    params: Map<number, Uint8Array>;
    noDefaultAlpn: boolean;
    mandatory?: number[];
    alpn?: string[];
    port?: number;
    ipv4hint?: string[];
    ech?: Uint8Array;
    ipv6hint?: string[];
  } = { priority, targetName: target.name, params, noDefaultAlpn: false };
  for (const [key, v] of params) {
    switch (key) {
      case SvcParamKey.mandatory: {
        // RFC 9460 8: a non-empty list of 2-octet keys, strictly increasing,
        // not "mandatory" itself, each present in the record.
        if (v.length === 0 || v.length % 2) throw bad(`mandatory of ${v.length} octets`);
        const keys: number[] = [];
        for (let i = 0; i < v.length; i += 2) {
          const k = u16(v, i);
          if (k === SvcParamKey.mandatory) throw bad('mandatory lists itself (RFC 9460 8)');
          if (keys.length && k <= keys[keys.length - 1])
            throw bad(`mandatory keys not strictly increasing (${keys[keys.length - 1]}, ${k}): RFC 9460 8`);
          if (!params.has(k)) throw bad(`mandatory key ${k} is not in the record (RFC 9460 8)`);
          keys.push(k);
        }
        rec.mandatory = keys;
        break;
      }
      case SvcParamKey.alpn: {
        // RFC 9460 7.1.1: a non-empty list of non-empty length-prefixed IDs.
        if (v.length === 0) throw bad('alpn with an empty value (RFC 9460 7.1.1)');
        const ids: string[] = [];
        for (let i = 0; i < v.length; ) {
          const n = v[i];
          if (n === 0 || i + 1 + n > v.length) throw bad(`alpn ID at ${i} is empty or cut off`);
          ids.push(String.fromCharCode(...v.subarray(i + 1, i + 1 + n)));
          i += 1 + n;
        }
        rec.alpn = ids;
        break;
      }
      case SvcParamKey.noDefaultAlpn:
        if (v.length !== 0) throw bad('no-default-alpn with a value (RFC 9460 7.1.1: it MUST be empty)');
        rec.noDefaultAlpn = true;
        break;
      case SvcParamKey.port:
        if (v.length !== 2) throw bad(`port of ${v.length} octets (RFC 9460 7.2: 2)`);
        rec.port = u16(v, 0);
        break;
      case SvcParamKey.ipv4hint:
        if (v.length === 0 || v.length % 4) throw bad(`ipv4hint of ${v.length} octets (RFC 9460 7.3: a non-empty multiple of 4)`);
        rec.ipv4hint = Array.from({ length: v.length / 4 }, (_, i) => ipv4(v.subarray(4 * i, 4 * i + 4)));
        break;
      case SvcParamKey.ech:
        try {
          checkEchConfigList(v);
        } catch (e) {
          throw e instanceof DnsError ? new DnsError('ERR_DNS_BAD_ECH', e.message) : e;
        }
        rec.ech = v;
        break;
      case SvcParamKey.ipv6hint:
        if (v.length === 0 || v.length % 16) throw bad(`ipv6hint of ${v.length} octets (RFC 9460 7.3: a non-empty multiple of 16)`);
        rec.ipv6hint = Array.from({ length: v.length / 16 }, (_, i) => ipv6(v.subarray(16 * i, 16 * i + 16)));
        break;
    }
  }
  return rec;
}

/** Whether a client that reads the keys of {@link SvcParamKey} may use the
 * record: RFC 9460 8, "if any of the keys in mandatory are not supported,
 * the client MUST ignore the RR". */
export function usableSvcb(rec: SvcbRecord): boolean {
  return (rec.mandatory ?? []).every((k) => KNOWN_KEYS.has(k));
}

function readRecord(msg: Uint8Array, off: number): { rr: ResourceRecord; end: number } {
  const { name, end } = readName(msg, off);
  if (end + 10 > msg.length) throw new DnsError('ERR_DNS_SHORT', `record header at offset ${end} cut off`);
  const type = u16(msg, end);
  const klass = u16(msg, end + 2);
  const ttl = ((msg[end + 4] << 24) | (msg[end + 5] << 16) | (msg[end + 6] << 8) | msg[end + 7]) >>> 0;
  const rdlength = u16(msg, end + 8);
  const start = end + 10;
  if (start + rdlength > msg.length)
    throw new DnsError('ERR_DNS_SHORT', `RDLENGTH ${rdlength} at offset ${end + 8} runs past the end of the message`);
  const rdata = msg.subarray(start, start + rdlength);
  let data: string | SvcbRecord | undefined;
  const rrBad = (m: string): DnsError => new DnsError('ERR_DNS_BAD_RDATA', `${m} (record ${JSON.stringify(name)} type ${type})`);
  if (klass === CLASS_IN || type === RRType.CNAME) {
    switch (type) {
      case RRType.A:
        if (rdlength !== 4) throw rrBad(`A RDATA of ${rdlength} octets`);
        data = ipv4(rdata);
        break;
      case RRType.AAAA:
        if (rdlength !== 16) throw rrBad(`AAAA RDATA of ${rdlength} octets`);
        data = ipv6(rdata);
        break;
      case RRType.CNAME: {
        // RFC 1035 3.3.1: the RDATA is a name, which may be compressed
        // (pointing into the message); it must end at RDLENGTH.
        const target = readName(msg, start);
        if (target.end !== start + rdlength) throw rrBad(`CNAME name ends at ${target.end}, RDATA at ${start + rdlength}`);
        data = target.name;
        break;
      }
      case RRType.SVCB:
      case RRType.HTTPS:
        data = decodeSvcb(rdata);
        break;
    }
  }
  return { rr: { name, type, class: klass, ttl, rdata, data }, end: start + rdlength };
}

/** Parse a whole message (RFC 1035 4.1); every count must be met and no byte left over. */
export function parseMessage(msg: Uint8Array): DnsMessage {
  if (msg.length < 12) throw new DnsError('ERR_DNS_SHORT', `message of ${msg.length} octets (the header takes 12)`);
  const id = u16(msg, 0);
  const flags = u16(msg, 2);
  const counts = [u16(msg, 4), u16(msg, 6), u16(msg, 8), u16(msg, 10)];
  let p = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const { name, end } = readName(msg, p);
    questions.push({ name, type: u16(msg, end), class: u16(msg, end + 2) });
    p = end + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      const { rr, end } = readRecord(msg, p);
      sections[s].push(rr);
      p = end;
    }
  }
  if (p !== msg.length) throw new DnsError('ERR_DNS_TRAILING_BYTES', `${msg.length - p} octets after the last record`);
  return {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0xf,
    questions,
    answers: sections[0],
    authority: sections[1],
    additional: sections[2],
  };
}

/**
 * Parse the answer to a query made by {@link encodeQuery} and check it is
 * that query's: a response (QR), opcode QUERY, the same ID, the same one
 * question; not truncated; RCODE NOERROR or NXDOMAIN (an NXDOMAIN answer
 * comes back with its records, the caller finds none of the type).
 */
export function parseResponse(msg: Uint8Array, query: { id: number; name: string; type: number }): DnsMessage {
  // The header first, so a truncated answer is named as such even when
  // the cut left a record half there.
  if (msg.length >= 12 && u16(msg, 2) & 0x0200)
    throw new DnsError(
      'ERR_DNS_TRUNCATED',
      'the TC bit is set: a DoH answer is never truncated for size (RFC 8484 6), the answer is incomplete',
    );
  const m = parseMessage(msg);
  if (!m.response || m.opcode !== 0)
    throw new DnsError('ERR_DNS_NOT_A_RESPONSE', `not a response to a standard query (QR ${m.response ? 1 : 0}, opcode ${m.opcode})`);
  if (m.id !== query.id) throw new DnsError('ERR_DNS_ID_MISMATCH', `response ID ${m.id}, query ID ${query.id}`);
  const q = m.questions[0];
  if (m.questions.length !== 1 || !sameName(q.name, query.name) || q.type !== query.type || q.class !== CLASS_IN) {
    throw new DnsError(
      'ERR_DNS_QUESTION_MISMATCH',
      `response question ${m.questions.map((x) => `${x.name}/${x.type}`).join(', ') || '(none)'}, query ${query.name}/${query.type}`,
    );
  }
  if (m.rcode !== 0 && m.rcode !== 3)
    throw new DnsError('ERR_DNS_RCODE', `the server answered ${RCODES[m.rcode] ?? `RCODE ${m.rcode}`} for ${query.name}`);
  return m;
}
