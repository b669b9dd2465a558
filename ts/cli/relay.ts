/**
 * `wasmtls relay`: the websockify-style WebSocket-to-TCP relay of
 * `wasmtls/relay` (ts/relay/relay.ts) on its own port, so a TLS client in
 * a browser (or `s_client -tunnel`) can reach a TCP server. The target is
 * the URL path (`ws://relay:8080/example.com:443`), checked against
 * `-allow`, or fixed with `-target`.
 *
 * Safe by default: without `-allow`, `-target` or `-open` it refuses to
 * start (a relay that forwards anywhere is an open proxy); `-open` prints
 * a warning; loopback and private addresses stay refused unless
 * `-allow-private` or an `-allow` entry names them; browser pages need
 * their origin in `-origin`. It listens on 127.0.0.1 unless told otherwise.
 * @module
 */
import { CliError, hostPort, parseFlags, UsageError, type FlagTable } from './args.js';
import { startRelay as startLibRelay, type RunningRelay, type StartRelayOptions } from '../relay/relay.js';

export const RELAY_FLAGS: FlagTable = {
  listen: { kind: 'string', arg: '[host:]port', help: 'where to accept WebSockets (default host 127.0.0.1; port 0: any free port)' },
  allow: {
    kind: 'string',
    arg: 'h1[:ports],...',
    help:
      'targets clients may reach: example.com:443, *.example.com:443, ' +
      '*:443, 203.0.113.7, 10.0.0.0/8:5432, [2001:db8::/32]:443 (ports: 443, 8000-8100, *; none: any)',
  },
  target: { kind: 'string', arg: 'host:port', help: 'relay every connection there, whatever the path' },
  open: { kind: 'bool', help: 'forward to ANY public host:port a client names (an open proxy: not for production)' },
  'allow-private': { kind: 'bool', help: 'let targets be loopback, private, link-local or unique-local addresses' },
  origin: {
    kind: 'string',
    arg: 'o1,o2',
    help:
      'browser origins allowed (https://app.example.com, https://*.example.com, *); ' +
      'default none: requests with an Origin header get 403',
  },
  max: { kind: 'int', arg: 'n', help: 'connections relayed at once (default 256)' },
  'max-per-client': { kind: 'int', arg: 'n', help: 'connections at once from one client address (default 16)' },
  idle: { kind: 'int', arg: 'seconds', help: 'close a tunnel after this long without a byte either way (default 120; 0: never)' },
  'max-bytes': { kind: 'int', arg: 'n', help: 'close a tunnel after n bytes both ways together (default: no limit)' },
  quiet: { kind: 'bool', help: 'no per-connection lines' },
};

const OPEN_WARNING = `
WARNING: wasmtls relay -open: this relay forwards to ANY public host and port a
client names. Anyone who can reach it can use it as a proxy: your address on
their traffic (spam, scans, abuse reports sent to you). Use -allow in
production. Loopback and private addresses stay refused (-allow-private).
`;

/** The relay of `wasmtls/relay`, with CliError for what stops it starting. */
async function startRelay(o: StartRelayOptions): Promise<RunningRelay> {
  try {
    return await startLibRelay(o);
  } catch (e) {
    throw new CliError((e as Error).message.replace(/^relay: /, ''), { cause: e });
  }
}

const list = (v: unknown): string[] | undefined =>
  v === undefined
    ? undefined
    : String(v)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

export async function relay(argv: readonly string[]): Promise<number> {
  const f = parseFlags(argv, RELAY_FLAGS);
  if (f.listen === undefined) throw new UsageError('-listen [host:]port is required');
  const { host, port } = hostPort(f.listen as string, 'listen', '127.0.0.1');
  const allow = list(f.allow);
  if (f.target === undefined && !f.open && !allow?.length) {
    throw new UsageError(
      'refusing to start an open proxy: give -allow with the targets clients may reach ' +
        "(-allow '*.example.com:443'), a fixed -target host:port, or -open",
    );
  }
  if (f.target !== undefined && (f.open || allow)) throw new UsageError('-target excludes -allow and -open');
  if (f.open && allow) throw new UsageError("-open and -allow exclude each other (-allow '*:443' allows any host on port 443)");
  const log = f.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  let r: RunningRelay;
  try {
    r = await startRelay({
      host,
      port,
      target: f.target === undefined ? undefined : hostPort(f.target as string, 'target'),
      allow,
      open: f.open === true,
      allowPrivate: f['allow-private'] === true,
      origins: list(f.origin),
      maxConnections: f.max as number | undefined,
      maxConnectionsPerClient: f['max-per-client'] as number | undefined,
      idleTimeout: f.idle === undefined ? undefined : (f.idle as number) * 1000,
      maxBytes: f['max-bytes'] as number | undefined,
      log,
    });
  } catch (e) {
    // A bad -allow or -origin entry, or a zero limit: a usage error.
    if (e instanceof CliError && (e.cause instanceof TypeError || e.cause instanceof RangeError)) throw new UsageError(e.message);
    throw e;
  }
  if (f.open) process.stderr.write(OPEN_WARNING);
  process.stdout.write(`RELAY ${r.url}${f.target === undefined ? '/<host>:<port>' : ` -> ${String(f.target)}`}\n`);
  if (log) {
    const what = f.target !== undefined ? `only ${String(f.target)}` : f.open ? 'ANY public host (open)' : allow!.join(', ');
    log(`targets: ${what}${f['allow-private'] ? '; private addresses allowed' : ''}`);
    log(`origins: ${list(f.origin)?.join(', ') ?? 'none (browser pages get 403; -origin to allow)'}`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await r.close();
  return 0;
}
