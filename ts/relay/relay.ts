/**
 * `wasmtls/relay`: a websockify-style WebSocket-to-TCP relay for Node
 * servers, safe by default. A TLS client in a browser (or Deno, Workers,
 * `wasmtls s_client -tunnel`) opens `ws(s)://relay/<host>:<port>` and the
 * relay pipes the WebSocket's binary messages to one TCP connection there.
 * The relay sees only TLS records, never plaintext.
 *
 * A relay that forwards anywhere is an open proxy, and a relay that
 * reaches its own network hands it to any web page (SSRF). So:
 *  - targets must match an allow-list (`allow`), be one fixed `target`, or
 *    the relay be started `open` on purpose; without one of the three it
 *    refuses to start;
 *  - every target is resolved once, each address checked, and the TCP
 *    connection made to the checked address itself (no second lookup, so
 *    DNS rebinding between check and connect cannot happen); loopback,
 *    private, link-local, unique-local, unspecified and other
 *    special-purpose addresses (ts/relay/policy.ts) are refused unless
 *    `allowPrivate` or an allow-list entry naming them (`127.0.0.1`,
 *    `10.0.0.0/8`);
 *  - a browser page's WebSocket carries its `Origin` (RFC 6455 4.1, 10.2:
 *    "servers that are not intended to process input from any web page but
 *    only for certain sites SHOULD verify the |Origin| field"): only listed
 *    origins get through, others get HTTP 403 at the upgrade; a request
 *    without `Origin` (not a browser) is not affected;
 *  - limits: connections at once in total and per client address, idle
 *    time (no byte either way), optionally bytes per tunnel.
 * Every refusal is a log line and either an HTTP status at the upgrade
 * (path, Origin) or a WebSocket close code with a reason the page can read
 * (1008 policy, 1013 try again later, 1011 target unreachable, 1001 idle).
 *
 * Use it on its own port ({@link startRelay}) or inside an existing
 * `http.Server`/`https.Server`, the way the `ws` package's `noServer` mode
 * works ({@link createRelay} and `relay.handleUpgrade(req, socket, head)`).
 * Node only (node:net, node:dns); `ws` is bundled in.
 * @module
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  checkAddress,
  formatIp,
  nameAllowed,
  normalName,
  originAllowed,
  parseAllowEntry,
  parseIp,
  parseOrigin,
  type AllowEntry,
  type IpBytes,
  type OriginPattern,
} from './policy.js';
import { closeReason, pipeTunnel } from './tunnel.js';

/** Options of {@link createRelay} and {@link startRelay}. */
export interface RelayOptions {
  /**
   * The targets clients may reach, as `host[:ports]` entries: `example.com:443`,
   * `*.example.com:443` (names below example.com), `203.0.113.7`,
   * `10.0.0.0/8:5432`, `[2001:db8::/32]:443`, `*:443` (any host, port 443);
   * ports `443`, `8000-8100` or `*` (no port part: any port). Required
   * unless `target` or `open` is given.
   */
  allow?: readonly string[];
  /** Relay every connection to this one destination, whatever the path
   * (the operator named it: a private address is allowed). */
  target?: RelayTarget;
  /** Forward to any host and port a client names (still no private
   * address without `allowPrivate`). An open proxy: avoid in production. */
  open?: boolean;
  /** Let targets resolve to loopback, private, link-local, unique-local and
   * other special-purpose addresses. Default false. */
  allowPrivate?: boolean;
  /**
   * Browser origins allowed to open tunnels: `https://app.example.com`,
   * `https://*.example.com`, `null`, or `*` (any page). A request with any
   * other `Origin` gets HTTP 403. Default: none (every browser page is
   * refused; clients that send no `Origin`, such as Node or the CLI, pass).
   */
  origins?: readonly string[];
  /** The path prefix the relay answers; the target follows it
   * (`/relay/` → `/relay/example.com:443`). Default `/`. */
  path?: string;
  /** Tunnels open at once (256). Beyond: close 1013. */
  maxConnections?: number;
  /** Tunnels open at once from one client address (16). Beyond: close 1013. */
  maxConnectionsPerClient?: number;
  /** Milliseconds without a byte in either direction before the tunnel is
   * closed with 1001 (120 000; 0: never). */
  idleTimeout?: number;
  /** Milliseconds for the TCP connection to the target (10 000). */
  connectTimeout?: number;
  /** Bytes (both directions) after which a tunnel is closed with 1008.
   * Default: no limit. */
  maxBytes?: number;
  /** Bytes waiting for the WebSocket before the TCP side is paused (1 MiB). */
  highWaterMark?: number;
  /** The largest WebSocket message accepted (1 MiB). */
  maxMessageSize?: number;
  /**
   * The client's address for the per-client limit and the log (default:
   * the TCP peer's). Behind a reverse proxy, return the address your proxy
   * puts in `X-Forwarded-For` (only a proxy you trust sets it).
   */
  clientAddress?: (req: IncomingMessage) => string;
  /** Name resolution (default: `dns.lookup` with `all: true`, the system
   * resolver, as `net.connect` would use). Every address is checked. */
  lookup?: (hostname: string) => Promise<readonly ResolvedAddress[]>;
  /** One line per tunnel, per refusal and at start (default: none). */
  log?: (line: string) => void;
}

/** A fixed destination of the relay. */
export interface RelayTarget {
  /** A DNS name or an IP address. */
  host: string;
  /** The TCP port. */
  port: number;
}

/** One answer of {@link RelayOptions.lookup}. */
export interface ResolvedAddress {
  /** An IPv4 or IPv6 address in text form. */
  address: string;
  /** 4 or 6, as `dns.lookup` gives it (unused: the relay parses the address itself). */
  family?: number;
}

/** A relay not bound to a server: hand it upgrade requests. */
export interface Relay {
  /** Whether the request's path is under the relay's `path` prefix. */
  shouldHandle(req: IncomingMessage): boolean;
  /**
   * Take over an HTTP upgrade request (from a server's `'upgrade'` event):
   * refuse it with an HTTP status, or complete the WebSocket handshake and
   * open the tunnel. Never throws.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Tunnels open now (including those still resolving or connecting). */
  readonly active: number;
  /** Close every tunnel and refuse new ones (the server is left alone). */
  close(): Promise<void>;
}

/** {@link startRelay}'s options: a relay and where it listens. */
export interface StartRelayOptions extends RelayOptions {
  /** Listen on this address (default 127.0.0.1)... */
  host?: string;
  /** ...and this port (0: any free port)... */
  port?: number;
  /** ...or attach to this server's `'upgrade'` events (not closed by
   * `close()`; requests outside `path` are left to its other listeners,
   * or answered 404 when there are none). */
  server?: Server | HttpsServer;
}

/** A listening relay. */
export interface RunningRelay {
  /** `ws://host:port` plus the path prefix without its final `/`; append
   * `/host:port` unless the target is fixed. */
  url: string;
  /** The port it listens on (the server's, when attached to one). */
  port: number;
  /** Tunnels open now. */
  readonly active: number;
  /** The relay itself (its upgrade handler). */
  relay: Relay;
  /** Close every tunnel, then the listening server if the relay made it. */
  close(): Promise<void>;
}

const DEFAULTS = {
  maxConnections: 256,
  maxConnectionsPerClient: 16,
  idleTimeout: 120_000,
  connectTimeout: 10_000,
  highWaterMark: 1 << 20,
  maxMessageSize: 1 << 20,
};

/** `host:port` after the prefix; the host a DNS name, an IPv4 address or
 * a bracketed IPv6 one. */
const TARGET = /^(\[[0-9A-Fa-f:.]+\]|[^/:[\]]+):(\d{1,5})$/;

const HTTP_STATUS: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' };

function refuseHttp(socket: Duplex, status: number, body: string): void {
  const text = `${body}\n`;
  // As ws's abortHandshake: end with the response, then release the socket.
  socket.once('finish', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${HTTP_STATUS[status]}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

const describe = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
};

const bareAddress = (a: string | undefined): string => (a ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

function positive(name: string, v: number | undefined, dflt: number, zeroOk = false): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !zeroOk))
    throw new RangeError(`relay: ${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number, got ${v}`);
  return v;
}

interface Tunnel {
  client: string;
  ws?: WebSocket;
  /** The target connection (while connecting: the current attempt). */
  sock?: Socket;
  /** Set once pipeTunnel owns the ends (it ends the target gracefully). */
  piped?: boolean;
}

/**
 * Make a relay from its policy; throws (TypeError/RangeError) on a bad
 * option, and when neither `allow`, `target` nor `open` is given.
 * @example
 * ```ts
 * import { createServer } from 'node:https';
 * import { createRelay } from 'wasmtls/relay';
 *
 * const relay = createRelay({
 *   path: '/relay/',
 *   allow: ['*.example.com:443', 'db.example.net:5432'],
 *   origins: ['https://app.example.com'],
 *   log: console.log,
 * });
 * const server = createServer({ cert, key }, app);
 * server.on('upgrade', (req, socket, head) => {
 *   if (relay.shouldHandle(req)) relay.handleUpgrade(req, socket, head);
 *   else socket.destroy();
 * });
 * server.listen(443);
 * ```
 */
export function createRelay(o: RelayOptions): Relay {
  const entries: AllowEntry[] = (o.allow ?? []).map(parseAllowEntry);
  if (!o.target && !o.open && entries.length === 0) {
    throw new TypeError(
      'relay: refusing to start an open proxy: give `allow` (the targets clients may reach, ' +
        'such as ["*.example.com:443"]), a fixed `target`, or `open: true`',
    );
  }
  if (o.target && (o.open || entries.length > 0)) throw new TypeError('relay: a fixed `target` excludes `allow` and `open`');
  if (o.target && !(Number.isInteger(o.target.port) && o.target.port > 0 && o.target.port < 65536)) {
    throw new RangeError(`relay: bad target port ${o.target.port}`);
  }
  const origins: OriginPattern[] = (o.origins ?? []).map(parseOrigin);
  const prefix = (o.path ?? '/').endsWith('/') ? (o.path ?? '/') : `${o.path}/`;
  if (!prefix.startsWith('/')) throw new TypeError(`relay: path must start with '/', got '${o.path}'`);
  const max = positive('maxConnections', o.maxConnections, DEFAULTS.maxConnections);
  const perClient = positive('maxConnectionsPerClient', o.maxConnectionsPerClient, DEFAULTS.maxConnectionsPerClient);
  const idle = positive('idleTimeout', o.idleTimeout, DEFAULTS.idleTimeout, true);
  const connectTimeout = positive('connectTimeout', o.connectTimeout, DEFAULTS.connectTimeout);
  const maxBytes = positive('maxBytes', o.maxBytes, Infinity);
  const hwm = positive('highWaterMark', o.highWaterMark, DEFAULTS.highWaterMark);
  const log = o.log ?? (() => {});
  const lookup = o.lookup ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));
  const clientOf = o.clientAddress ?? ((req: IncomingMessage) => bareAddress(req.socket.remoteAddress));
  const allowPrivate = o.allowPrivate === true;

  // perMessageDeflate off: TLS records do not compress, and inflating
  // would put an unbounded buffer between the two sides.
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: positive('maxMessageSize', o.maxMessageSize, DEFAULTS.maxMessageSize),
  });
  const tunnels = new Set<Tunnel>();
  const perClientCount = new Map<string, number>();
  let closed = false;
  let next = 0;

  const pathOf = (req: IncomingMessage) => (req.url ?? '/').split('?')[0];
  const shouldHandle = (req: IncomingMessage) => {
    const p = pathOf(req);
    return p.startsWith(prefix) || p === prefix.slice(0, -1);
  };

  /** The addresses to try for host:port, in order, or why none. */
  async function decide(host: string, port: number): Promise<{ addresses: string[] } | { refused: string; code: number }> {
    const literal = parseIp(host);
    if (o.target) {
      // The operator's own destination: no policy beyond naming it.
      if (literal) return { addresses: [formatIp(literal)] };
    }
    const byName =
      !!o.target ||
      o.open === true ||
      (literal ? entries.some((e) => e.host.kind === 'any' && port >= e.ports[0] && port <= e.ports[1]) : nameAllowed(entries, host, port));
    const hp = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    // Not allowed by name, and no address entry for this port: refused
    // without asking DNS.
    if (!byName && !entries.some((e) => e.host.kind === 'ip' && port >= e.ports[0] && port <= e.ports[1])) {
      return { refused: `${hp} is not in the allow-list`, code: 1008 };
    }
    let ips: IpBytes[];
    if (literal) ips = [literal];
    else {
      try {
        const found = await lookup(host);
        ips = found.map((a) => parseIp(a.address)).filter((x): x is IpBytes => x !== undefined);
      } catch (e) {
        return { refused: `cannot resolve ${host}: ${describe(e)}`, code: 1011 };
      }
      if (ips.length === 0) return { refused: `cannot resolve ${host}: no address`, code: 1011 };
    }
    if (o.target) return { addresses: ips.map(formatIp) };
    const ok: string[] = [];
    let refusal: string | undefined;
    for (const ip of ips) {
      const v = checkAddress(entries, ip, port, byName, allowPrivate);
      if (v.ok) ok.push(formatIp(ip));
      else if (refusal === undefined) {
        const at = literal ? hp : `${hp} resolves to ${formatIp(ip)}`;
        refusal = v.listed ? `${at}: ${v.why} refused` : literal ? `${at} is not in the allow-list` : `${at}, not in the allow-list`;
      }
    }
    if (ok.length > 0) return { addresses: ok };
    return { refused: refusal!, code: 1008 };
  }

  /** Connect to each address in turn (each bounded by connectTimeout);
   * the socket is connected to a checked address, never to a name. */
  function connectFirst(t: Tunnel, addresses: string[], port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      let i = 0;
      const attempt = (): void => {
        const address = addresses[i++];
        const sock = tcpConnect({ host: address, port });
        t.sock = sock;
        const timer = setTimeout(() => {
          sock.destroy(
            Object.assign(new Error(`connect ETIMEDOUT ${address}:${port} (no answer in ${connectTimeout / 1000} s)`), {
              code: 'ETIMEDOUT',
            }),
          );
        }, connectTimeout);
        const fail = (e: Error) => {
          clearTimeout(timer);
          if (closed || i >= addresses.length) reject(e);
          else attempt();
        };
        sock.once('error', fail);
        sock.once('connect', () => {
          clearTimeout(timer);
          sock.off('error', fail);
          resolve(sock);
        });
      };
      attempt();
    });
  }

  function open(ws: WebSocket, t: Tunnel, id: number, from: string, target: { host: string; port: number }): void {
    const to = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const refuse = (code: number, why: string) => {
      log(`#${id} ${from} refused: ${why}`);
      // Paused, the WebSocket would not read the client's closing frame.
      ws.resume();
      ws.close(code, closeReason(`relay: ${why}`));
    };
    // Hold the client's first bytes (its ClientHello) in the WebSocket
    // until the target is connected: no 'message' listener yet.
    ws.pause();
    ws.once('close', () => {
      if (!t.piped) t.sock?.destroy();
    });
    decide(target.host, target.port)
      .then(async (d) => {
        if ('refused' in d) return refuse(d.code, d.refused);
        let sock: Socket;
        try {
          sock = await connectFirst(t, d.addresses, target.port);
        } catch (e) {
          log(`#${id} ${from} -> ${to}: ${describe(e)}`);
          ws.resume();
          ws.close(1011, closeReason(describe(e)));
          return;
        }
        if (ws.readyState !== ws.OPEN) {
          sock.destroy();
          return;
        }
        t.piped = true;
        const via = parseIp(target.host) ? '' : ` (${sock.remoteAddress})`;
        log(`#${id} ${from} -> ${to}${via}`);
        const n = pipeTunnel(ws, sock, {
          highWaterMark: hwm,
          errorReason: (e) => {
            log(`#${id} ${from} -> ${to}: ${describe(e)}`);
            return describe(e);
          },
          maxBytes,
          onLimit: () => log(`#${id} ${from} -> ${to}: byte limit (${maxBytes}) reached, closed`),
        });
        if (idle > 0) {
          // Node's socket timeout counts reads and writes: no byte either way.
          sock.setTimeout(idle, () => {
            log(`#${id} ${from} -> ${to}: idle for ${idle / 1000} s, closed`);
            ws.close(1001, closeReason(`relay: idle for ${idle / 1000} s`));
            sock.destroy();
          });
        }
        ws.on('close', () => log(`#${id} closed: ${n.up} bytes up, ${n.down} bytes down`));
        ws.resume();
      })
      .catch((e: unknown) => {
        // Not expected (decide and connectFirst settle with results); never
        // let a tunnel's failure reach the process.
        log(`#${id} ${from} -> ${to}: internal error: ${describe(e)}`);
        ws.terminate();
        t.sock?.destroy();
      });
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const id = ++next;
    let client: string;
    try {
      client = clientOf(req);
    } catch (e) {
      client = bareAddress(req.socket.remoteAddress);
      log(`#${id} clientAddress threw (${describe(e)}); using ${client}`);
    }
    const from = client;
    try {
      if (closed) {
        refuseHttp(socket, 503, 'relay: shutting down');
        return;
      }
      if (!shouldHandle(req)) {
        log(`#${id} ${from} refused: path ${JSON.stringify(pathOf(req))} is not under ${prefix}`);
        refuseHttp(socket, 404, `relay: no relay at ${pathOf(req)}`);
        return;
      }
      const origin = req.headers.origin;
      if (origin !== undefined && !originAllowed(origins, origin)) {
        log(`#${id} ${from} refused: Origin ${JSON.stringify(origin)} is not allowed (403)`);
        refuseHttp(socket, 403, `relay: Origin ${origin} is not allowed`);
        return;
      }
      // Parse the target before the handshake; refusals still travel as
      // close reasons, which a page can read (an HTTP status it cannot).
      let target = o.target;
      let bad: string | undefined;
      if (!target) {
        const m = TARGET.exec(pathOf(req).slice(prefix.length));
        const host = m ? (m[1].startsWith('[') ? m[1].slice(1, -1) : m[1]) : '';
        const port = m ? Number(m[2]) : 0;
        if (!m) bad = `the path must be ${prefix}<host>:<port>`;
        else if (port < 1 || port > 65535) bad = `bad port ${m[2]}: 1..65535`;
        else if (m[1].startsWith('[') ? !host.includes(':') || !parseIp(host) : !parseIp(host) && !normalName(host)) {
          bad = `bad host ${JSON.stringify(m[1])}`;
        } else target = { host, port };
      }
      let busy: string | undefined;
      if (tunnels.size >= max) busy = `too many connections (${max})`;
      else if ((perClientCount.get(client) ?? 0) >= perClient) busy = `too many connections from ${client} (${perClient})`;
      const t: Tunnel = { client };
      if (!bad && !busy) {
        // Counted from now until the client's socket closes, whatever happens.
        tunnels.add(t);
        perClientCount.set(client, (perClientCount.get(client) ?? 0) + 1);
        socket.once('close', () => {
          if (!tunnels.delete(t)) return;
          const left = (perClientCount.get(client) ?? 1) - 1;
          if (left > 0) perClientCount.set(client, left);
          else perClientCount.delete(client);
          // A tunnel still resolving or connecting is abandoned; a piped one
          // ends its target itself (FIN after the bytes already written).
          if (!t.piped) t.sock?.destroy();
        });
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {}); // a client's protocol error only ends its tunnel
        t.ws = ws;
        if (bad) {
          log(`#${id} ${from} refused: ${bad}`);
          ws.close(1008, closeReason(`relay: ${bad}`));
        } else if (busy) {
          log(`#${id} ${from} refused: ${busy}`);
          ws.close(1013, closeReason(`relay: ${busy}`));
        } else if (closed) ws.terminate();
        else open(ws, t, id, from, target!);
      });
    } catch (e) {
      log(`#${id} ${from}: internal error: ${describe(e)}`);
      socket.destroy();
    }
  }

  return {
    shouldHandle,
    handleUpgrade,
    get active() {
      return tunnels.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const t of tunnels) {
          t.ws?.terminate();
          t.sock?.destroy();
        }
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * Start a relay on its own port, or attach one to an existing server.
 * Rejects when it cannot listen, and (as {@link createRelay}) on a bad
 * option or a missing allow-list.
 * @example
 * ```ts
 * import { startRelay } from 'wasmtls/relay';
 *
 * const r = await startRelay({
 *   host: '0.0.0.0', port: 8080,
 *   allow: ['*.example.com:443'],
 *   origins: ['https://app.example.com'],
 *   log: (line) => console.log(line),
 * });
 * console.log(`${r.url}/www.example.com:443`);
 * ```
 */
export async function startRelay(o: StartRelayOptions): Promise<RunningRelay> {
  const relay = createRelay(o);
  const suffix = (o.path ?? '/').replace(/\/+$/, '');
  const urlOf = (server: Server | HttpsServer) => {
    const a = server.address() as AddressInfo | null;
    if (!a) return { url: '', port: 0 };
    const scheme = 'setSecureContext' in server ? 'wss' : 'ws';
    const host = a.address.includes(':') ? `[${a.address}]` : a.address;
    return { url: `${scheme}://${host}:${a.port}${suffix}`, port: a.port };
  };
  if (o.server) {
    const server = o.server;
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (relay.shouldHandle(req)) relay.handleUpgrade(req, socket, head);
      else if (server.listenerCount('upgrade') === 1) refuseHttp(socket, 404, `no WebSocket endpoint at ${(req.url ?? '/').split('?')[0]}`);
    };
    server.on('upgrade', onUpgrade);
    const { url, port } = urlOf(server);
    return {
      url,
      port,
      relay,
      get active() {
        return relay.active;
      },
      close: async () => {
        server.off('upgrade', onUpgrade);
        await relay.close();
      },
    };
  }
  const host = o.host ?? '127.0.0.1';
  const server = createServer((_req, res) => {
    // RFC 6455 4.2.2: a server that only speaks WebSocket may say so with 426.
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', connection: 'close' });
    res.end('wasmtls relay: WebSocket only\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => relay.handleUpgrade(req, socket, head));
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new Error(`relay: cannot listen on ${host}:${o.port ?? 0}: ${describe(e)}`, { cause: e })));
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const { url, port } = urlOf(server);
  return {
    url,
    port,
    relay,
    get active() {
      return relay.active;
    },
    close: async () => {
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
