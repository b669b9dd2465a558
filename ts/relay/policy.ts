/**
 * The relay's policy, as pure functions (no sockets, no DNS): IP address
 * parsing and the special-purpose ranges a relay must not reach by
 * default, the target allow-list, and the browser `Origin` allow-list.
 * ts/relay/relay.ts applies them to each tunnel.
 *
 * Special-purpose ranges follow the IANA registries that RFC 6890 set up
 * (IPv4 and IPv6 Special-Purpose Address Registries): loopback, private
 * (RFC 1918), shared CGNAT space (RFC 6598), link-local (RFC 3927, RFC
 * 4291), unique-local (RFC 4193), unspecified ("this network"), multicast,
 * reserved and documentation blocks. A relay that reaches them hands a
 * browser page the operator's internal network (SSRF); they are refused
 * unless the operator names them.
 * @module
 */

/** An IP address as bytes: 4 (IPv4) or 16 (IPv6). */
export type IpBytes = Uint8Array;

/** Dotted-quad IPv4 only (four decimal parts 0..255, no leading zeros:
 * `010.0.0.1` is octal to some resolvers and is not an address here). */
function parseV4(s: string): IpBytes | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

/** RFC 4291 2.2 text forms: eight groups, one `::`, an IPv4 tail. No zone. */
function parseV6(s: string): IpBytes | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const items = h.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  const n = head.length + tail.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * An IP literal (`127.0.0.1`, `::1`, `[::1]`) to bytes, or undefined for
 * anything else (a DNS name). IPv4 embedded in IPv6 the way a connect()
 * would reach it as IPv4 (IPv4-mapped `::ffff:a.b.c.d`, RFC 4291 2.5.5.2)
 * comes back as the 4-byte IPv4 address, so `::ffff:127.0.0.1` is loopback.
 */
export function parseIp(text: string): IpBytes | undefined {
  const s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseV4(s);
  if (v4) return v4;
  const v6 = parseV6(s);
  if (!v6) return undefined;
  if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return v6.slice(12);
  return v6;
}

/** Bytes back to text: dotted quad, or RFC 5952 IPv6 (longest zero run as `::`). */
export function formatIp(ip: IpBytes): string {
  if (ip.length === 4) return ip.join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((ip[i] << 8) | ip[i + 1]);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** A network: address bytes and prefix length in bits. */
export interface Cidr {
  ip: IpBytes;
  bits: number;
}

/** Whether `ip` lies in `net` (same family; the first `bits` bits equal). */
export function inCidr(ip: IpBytes, net: Cidr): boolean {
  if (ip.length !== net.ip.length) return false;
  const full = net.bits >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== net.ip[i]) return false;
  const rest = net.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[full] & mask) === (net.ip[full] & mask);
}

/** `a.b.c.d/n` or `v6/n` (a bare address is /32 or /128). Throws on bad text. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr);
  if (!ip) throw new TypeError(`not an IP address: '${addr}'`);
  const max = ip.length * 8;
  let bits = max;
  if (slash >= 0) {
    const b = text.slice(slash + 1);
    // A mapped IPv6 network (::ffff:10.0.0.0/104) is kept in IPv4 terms.
    const shift = ip.length === 4 && parseV4(addr) === undefined ? 96 : 0;
    if (!/^\d{1,3}$/.test(b) || Number(b) - shift > max || Number(b) < shift) {
      throw new TypeError(`bad prefix length in '${text}' (0..${max})`);
    }
    bits = Number(b) - shift;
  }
  return { ip, bits };
}

const SPECIAL: readonly { net: Cidr; label: string }[] = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'shared CGNAT space (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // IPv4-compatible (deprecated, RFC 4291 2.5.5.1), and IPv4 in NAT64
  // (RFC 6052) and 6to4 (RFC 3056): an IPv4 address in IPv6 clothes that
  // a gateway may turn into the inner address.
  ['::/96', 'IPv4-compatible'],
  ['64:ff9b::/96', 'NAT64'],
  ['64:ff9b:1::/48', 'local NAT64'],
  ['100::/64', 'discard-only'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['2002::/16', '6to4'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
].map(([c, label]) => ({ net: parseCidr(c), label }));

/** The special-purpose range `ip` is in (`'loopback'`, ...), or undefined
 * for an ordinary global unicast address. */
export function specialRange(ip: IpBytes): string | undefined {
  return SPECIAL.find((s) => inCidr(ip, s.net))?.label;
}

/** Whether the whole network lies within special-purpose ranges: an
 * allow-list entry that names only such addresses (`127.0.0.1`,
 * `10.0.0.0/8`) lets the relay reach them; `0.0.0.0/0` does not. */
function namesSpecial(net: Cidr): boolean {
  return SPECIAL.some((s) => s.net.bits <= net.bits && inCidr(net.ip, s.net));
}

// ---- the target allow-list ----------------------------------------------------------

/** One allow-list entry, parsed. */
export interface AllowEntry {
  /** The entry as written, for log lines. */
  text: string;
  host: { kind: 'any' } | { kind: 'name'; name: string } | { kind: 'suffix'; suffix: string } | { kind: 'ip'; net: Cidr; special: boolean };
  /** Inclusive port range. */
  ports: [number, number];
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A DNS name as a target or pattern: lower case, no trailing dot. */
export function normalName(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.length === 0 || n.length > 253 || !n.split('.').every((l) => LABEL.test(l))) return undefined;
  return n;
}

function parsePorts(text: string, entry: string): [number, number] {
  if (text === '*') return [1, 65535];
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    throw new TypeError(`relay allow-list: bad port '${text}' in '${entry}' (a port 1..65535, a range such as 8000-8100, or *)`);
  }
  return [lo, hi];
}

/**
 * Parse one allow-list entry: a host part and an optional `:ports` part.
 * Hosts: `*` (any host, still no special-purpose address), an exact name
 * (`example.com`), `*.example.com` (any name below it, not the name
 * itself), an IP address or CIDR network (`203.0.113.7`, `10.0.0.0/8`,
 * `[2001:db8::1]`, `[fd00::/8]`; an unbracketed IPv6 takes no port).
 * Ports: `443`, `8000-8100`, `*`; no port part means any port.
 */
export function parseAllowEntry(text: string): AllowEntry {
  const t = text.trim();
  let hostText = t;
  let portText = '*';
  const br = /^\[([^\]]+)\](?::(.+))?$/.exec(t);
  if (br) [, hostText, portText = '*'] = br;
  else if (t.split(':').length === 2) [hostText, portText] = t.split(':');
  const ports = parsePorts(portText, t);
  const bad = () =>
    new TypeError(
      `relay allow-list: bad entry '${text}' (expected host[:ports]: example.com, *.example.com, *, an IP or CIDR such as 10.0.0.0/8)`,
    );
  if (hostText === '*') return { text: t, host: { kind: 'any' }, ports };
  if (hostText.startsWith('*.')) {
    const suffix = normalName(hostText.slice(2));
    if (!suffix?.includes('.') || /^[\d.]+$/.test(suffix)) throw bad();
    return { text: t, host: { kind: 'suffix', suffix }, ports };
  }
  if (parseIp(hostText.split('/')[0]) !== undefined) {
    let net: Cidr;
    try {
      net = parseCidr(hostText);
    } catch (e) {
      throw new TypeError(`relay allow-list: ${(e as Error).message} in '${text}'`);
    }
    return { text: t, host: { kind: 'ip', net, special: namesSpecial(net) }, ports };
  }
  const name = normalName(hostText);
  if (!name || /^[\d.]+$/.test(name)) throw bad();
  return { text: t, host: { kind: 'name', name }, ports };
}

const portIn = (port: number, e: AllowEntry) => port >= e.ports[0] && port <= e.ports[1];

/**
 * Whether a requested name (or IP literal, as text) and port match an
 * entry by NAME: `*`, an exact name, a `*.suffix`. IP entries are matched
 * against resolved addresses by {@link checkAddress}.
 */
export function nameAllowed(entries: readonly AllowEntry[], host: string, port: number): boolean {
  const n = normalName(host);
  return entries.some((e) => {
    if (!portIn(port, e)) return false;
    if (e.host.kind === 'any') return true;
    if (!n) return false;
    if (e.host.kind === 'name') return e.host.name === n;
    if (e.host.kind === 'suffix') return n.endsWith(`.${e.host.suffix}`);
    return false;
  });
}

/** The decision on one resolved address. */
export type AddressVerdict = { ok: true } | { ok: false; listed: false } | { ok: false; listed: true; why: string };

/**
 * Decide one RESOLVED address of a target: allowed when the requested
 * name was allowed (`byName`) or an IP/CIDR entry with a matching port
 * contains the address; and, for a special-purpose address, only when
 * `allowPrivate` is set or such an entry names special addresses
 * (an entry within the special ranges: `127.0.0.1`, `10.0.0.0/8`).
 * A name entry never grants a special address: a name someone else's DNS
 * answers for (`*.example.com`) could otherwise point at 127.0.0.1.
 */
export function checkAddress(
  entries: readonly AllowEntry[],
  ip: IpBytes,
  port: number,
  byName: boolean,
  allowPrivate: boolean,
): AddressVerdict {
  const byIp = entries.filter((e) => e.host.kind === 'ip' && portIn(port, e) && inCidr(ip, e.host.net));
  if (!byName && byIp.length === 0) return { ok: false, listed: false };
  const special = specialRange(ip);
  if (special === undefined || allowPrivate) return { ok: true };
  if (byIp.some((e) => e.host.kind === 'ip' && e.host.special)) return { ok: true };
  return { ok: false, listed: true, why: `${special} address` };
}

// ---- Origin ---------------------------------------------------------------------------

/** One `Origin` pattern: `*`, an exact origin, or `scheme://*.domain[:port]`. */
export type OriginPattern =
  | { kind: 'any' }
  | { kind: 'exact'; origin: string }
  | { kind: 'suffix'; scheme: string; suffix: string; port: string };

/**
 * Parse an `Origin` allow-list entry. Exact origins are normalised as
 * browsers serialise them (RFC 6454 6.2: scheme and host in lower case,
 * no default port, no path): `https://App.example.com:443/` is
 * `https://app.example.com`. `null` (sandboxed frames, file: pages) must
 * be listed as such to be allowed.
 */
export function parseOrigin(text: string): OriginPattern {
  const t = text.trim();
  if (t === '*') return { kind: 'any' };
  if (t === 'null') return { kind: 'exact', origin: 'null' };
  const w = /^([a-z][a-z0-9+.-]*):\/\/\*\.([^/:]+)(?::(\d{1,5}))?\/?$/i.exec(t);
  if (w) {
    const suffix = normalName(w[2]);
    if (!suffix) throw new TypeError(`relay origins: bad origin pattern '${text}'`);
    return { kind: 'suffix', scheme: w[1].toLowerCase(), suffix, port: w[3] ?? '' };
  }
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    throw new TypeError(`relay origins: '${text}' is not an origin (expected https://app.example.com, https://*.example.com, * or null)`);
  }
  if (u.origin === 'null' || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username) {
    throw new TypeError(`relay origins: '${text}' is not an origin (scheme://host[:port], no path)`);
  }
  return { kind: 'exact', origin: u.origin };
}

/** Whether an `Origin` header value matches one of the patterns. */
export function originAllowed(patterns: readonly OriginPattern[], origin: string): boolean {
  return patterns.some((p) => {
    if (p.kind === 'any') return true;
    if (p.kind === 'exact') return p.origin === origin;
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^/:]+)(?::(\d+))?$/.exec(origin);
    return !!m && m[1] === p.scheme && (m[3] ?? '') === p.port && m[2].endsWith(`.${p.suffix}`);
  });
}
