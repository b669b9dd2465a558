/**
 * `wasmtls/doh`: DNS over HTTPS (RFC 8484) through the wasmtls engine, to
 * read HTTPS records (RFC 9460) and the ECHConfigList an Encrypted Client
 * Hello needs (draft-ietf-tls-svcb-ech: SvcParamKey 5, `ech`).
 *
 * The query goes out with {@link createFetch} of `wasmtls/fetch` over the
 * `connect` you pass (a Wisp stream, a TCP socket, ...), so the lookup
 * itself runs over TLS in the engine and no system resolver or browser
 * stack sees the name; any other `fetch` can be passed instead.
 *
 * @example
 * ```ts
 * import { resolveEchConfig } from 'wasmtls/doh';
 * import { connectTcp } from 'wasmtls/adapters/node-socket';
 * const configList = await resolveEchConfig('crypto.cloudflare.com', {
 *   dohUrl: 'https://cloudflare-dns.com/dns-query',
 *   connect: (host, port) => connectTcp({ host, port }),
 *   ca: rootCertificates,
 * });
 * ```
 * @module
 */
import { createFetch, type FetchOptions } from '../http/fetch.js';
import type { ConnectFunction } from '../http/types.js';
import { type DnsMessage, DnsError, encodeQuery, parseResponse, RRType, type SvcbRecord, sameName, usableSvcb } from './wire.js';

export {
  DnsError,
  type DnsErrorCode,
  type DnsMessage,
  type Question,
  type ResourceRecord,
  type SvcbRecord,
  decodeSvcb,
  parseMessage,
} from './wire.js';

/** A `fetch`-shaped function: `globalThis.fetch`, or one from `wasmtls/fetch`. */
export type FetchFunction = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link resolveEchConfig}, {@link resolveHttpsRecords} and {@link queryDoh}. */
export interface DohOptions extends Omit<FetchOptions, 'connect'> {
  /** The DoH server's URL (RFC 8484 3: the URI template's target, e.g. `https://dns.example/dns-query`). */
  dohUrl: string | URL;
  /** The fetch to send the query with (for instance one from `createFetch` or `wispFetch`, reused across lookups). */
  fetch?: FetchFunction;
  /** Without `fetch`: the transport a {@link createFetch} is made over for this lookup (closed after it), with the TLS options of this object (`ca`, ...). */
  connect?: ConnectFunction;
  /** `POST` (default; RFC 8484 4.1, the body is the query) or `GET` (`?dns=` base64url, ID 0 so caches can share answers). */
  method?: 'GET' | 'POST';
  /** The service's port: for one other than 443 the name queried is `_PORT._https.NAME` (RFC 9460 9.1). */
  port?: number;
  /** CNAME and AliasMode steps followed at most (default 8). */
  maxChain?: number;
  /** Aborts the lookup. */
  signal?: AbortSignal;
}

/** A usable ServiceMode record of a name (RFC 9460 2.4.3), with the name it came from. */
export interface HttpsService extends SvcbRecord {
  /** The owner name the record was found at (after CNAME and AliasMode steps). */
  readonly owner: string;
  /** TargetName with "." resolved to the owner name (RFC 9460 2.5.2). */
  readonly target: string;
}

/** The media type of RFC 8484 6. */
const DNS_MESSAGE = 'application/dns-message';
/** A DNS message has a 16-bit length at most (RFC 8484 6: the same limit as over TCP). */
const MAX_MESSAGE = 65535;

function base64url(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The body, refused past `max` octets without reading further. */
async function readBody(res: Response, max: number): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > max) {
    await res.body?.cancel();
    throw new DnsError('ERR_DOH_HTTP', `the DoH answer declares ${declared} octets (a DNS message takes ${max} at most)`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > max) {
      await reader.cancel();
      throw new DnsError('ERR_DOH_HTTP', `the DoH answer is over ${max} octets (a DNS message takes ${max} at most)`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

/** Runs `f` with the fetch the options ask for: theirs, or one made over `connect` and closed after. */
async function withFetch<T>(options: DohOptions, f: (fetch: FetchFunction) => Promise<T>): Promise<T> {
  if (options.fetch) return f(options.fetch);
  const { dohUrl: _u, fetch: _f, connect, method: _m, port: _p, maxChain: _c, signal: _s, ...tls } = options;
  if (!connect) throw new DnsError('ERR_DNS_INVALID_ARG', 'DoH: pass `fetch` or `connect` (the transport the query goes over)');
  const own = createFetch({ ...tls, connect });
  try {
    return await f(own);
  } finally {
    await own.close();
  }
}

async function query(fetch: FetchFunction, options: DohOptions, name: string, type: number): Promise<DnsMessage> {
  const method = options.method ?? 'POST';
  if (method !== 'GET' && method !== 'POST')
    throw new DnsError('ERR_DNS_INVALID_ARG', `DoH: method ${String(method)} (GET or POST, RFC 8484 4.1)`);
  // RFC 8484 4.1: "DNS API clients SHOULD use a DNS ID of 0 in every DNS
  // request" so GET answers cache; a POST answer is not cached, and a
  // random ID costs nothing there.
  const q = encodeQuery(name, type, method === 'GET' ? { id: 0 } : {});
  const url = new URL(String(options.dohUrl));
  if (url.protocol !== 'https:') throw new DnsError('ERR_DNS_INVALID_ARG', `DoH: ${url.href} is not an https: URL (RFC 8484 5.2)`);
  const init: RequestInit = { method, headers: { accept: DNS_MESSAGE }, signal: options.signal };
  if (method === 'GET') url.searchParams.set('dns', base64url(q.bytes));
  else {
    init.headers = { accept: DNS_MESSAGE, 'content-type': DNS_MESSAGE };
    init.body = q.bytes;
  }
  const res = await fetch(url, init);
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel();
    throw new DnsError(
      'ERR_DOH_HTTP',
      `the DoH server answered HTTP ${res.status} for ${name}/${type} (RFC 8484 4.2.1: 2xx carries the answer)`,
    );
  }
  const ct = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (ct !== DNS_MESSAGE) {
    await res.body?.cancel();
    throw new DnsError('ERR_DOH_HTTP', `the DoH answer is ${ct ? `"${ct}"` : 'untyped'}, not ${DNS_MESSAGE} (RFC 8484 6)`);
  }
  return parseResponse(await readBody(res, MAX_MESSAGE), { id: q.id, name, type });
}

/**
 * One DoH exchange: the parsed, checked response to `name`/`type` (checked: a
 * response, the query's ID and question, not truncated, NOERROR or NXDOMAIN).
 */
export function queryDoh(name: string, type: number, options: DohOptions): Promise<DnsMessage> {
  return withFetch(options, (fetch) => query(fetch, options, name, type));
}

/**
 * The usable HTTPS records of a service (RFC 9460), most preferred first:
 * CNAMEs in the answer are followed (and queried again where the answer
 * stops at one), AliasMode records are followed to their target
 * (2.4.2), both within `maxChain` steps and without revisiting a name;
 * records whose `mandatory` keys this client does not know are left out
 * (8). An empty list when the name has none (or is NXDOMAIN, or its
 * AliasMode target is ".", 2.5.1: "the service is not available").
 */
export function resolveHttpsRecords(hostname: string, options: DohOptions): Promise<HttpsService[]> {
  const port = options.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.reject(new DnsError('ERR_DNS_INVALID_ARG', `port ${port}`));
  const start = port === 443 ? hostname : `_${port}._https.${hostname}`;
  const maxChain = options.maxChain ?? 8;
  return withFetch(options, async (fetch) => {
    const seen = new Set<string>();
    const visit = (n: string): void => {
      const key = n.toLowerCase().replace(/\.$/, '');
      if (seen.has(key)) throw new DnsError('ERR_DNS_CHAIN', `${n} seen twice while resolving ${start}: a CNAME or AliasMode loop`);
      if (seen.size > maxChain) throw new DnsError('ERR_DNS_CHAIN', `more than ${maxChain} CNAME/AliasMode steps resolving ${start}`);
      seen.add(key);
    };
    let name = start;
    visit(name);
    for (;;) {
      const m = await query(fetch, options, name, RRType.HTTPS);
      // RFC 1034 3.6.2: the answer may carry the CNAME chain from the
      // question's name; the records of the type sit at its end.
      let owner = name;
      for (;;) {
        const c = m.answers.find((r) => r.type === RRType.CNAME && sameName(r.name, owner));
        if (!c) break;
        owner = c.data as string;
        visit(owner);
      }
      const records = m.answers.filter((r) => r.type === RRType.HTTPS && sameName(r.name, owner)).map((r) => r.data as SvcbRecord);
      if (records.length === 0) {
        // A chain that stops at a CNAME: ask for its target.
        if (owner !== name && m.rcode === 0) {
          name = owner;
          continue;
        }
        return [];
      }
      // RFC 9460 2.4.2: with an AliasMode record in the set, ServiceMode
      // records there are ignored; "." as its target: no service.
      const alias = records.find((r) => r.priority === 0);
      if (alias) {
        if (alias.targetName === '') return [];
        name = alias.targetName;
        visit(name);
        continue;
      }
      return records
        .filter(usableSvcb)
        .sort((a, b) => a.priority - b.priority)
        .map((r) => ({ ...r, owner, target: r.targetName === '' ? owner : r.targetName }));
    }
  });
}

/**
 * The ECHConfigList of `hostname` (the `ech` SvcParam of its most
 * preferred usable HTTPS record, length prefix included: what
 * `connect({ ech: { configList } })` takes), or null when that record
 * carries none or the name has no HTTPS record: draft-ietf-tls-svcb-ech
 * 3.1, a client with no ECHConfig connects without ECH.
 */
export async function resolveEchConfig(hostname: string, options: DohOptions): Promise<Uint8Array | null> {
  const records = await resolveHttpsRecords(hostname, options);
  return records[0]?.ech ? records[0].ech.slice() : null;
}
