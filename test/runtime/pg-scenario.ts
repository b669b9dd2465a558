/**
 * PostgreSQL over STARTTLS in Deno and workerd, the same code in each:
 * the runtime's own socket (`Deno.connect`, `connect()` from
 * `cloudflare:sockets`), the plaintext phase (SSLRequest, 'S') done by
 * the caller on that socket, then the socket handed to wasmtls through the
 * runtime's adapter and `connect({ transport })`: the chain checked
 * against the test CA for `localhost`, a client certificate where the
 * role needs one, and a session (test/helpers/pg-wire.ts). Bundled by
 * postgres.test.ts with the parameters baked in; each case reports what
 * it saw and the test asserts it.
 */
import { connect, type TLSSocket } from '../../ts/api/tls.js';
import type { Transport } from '../../ts/adapters/types.js';
import { init, type WasmSource } from '../../ts/core/loader.js';
import { pgSession, PgError } from '../helpers/pg-wire.js';

export interface PgParams {
  port: number;
  caPem: string;
  /** A CA that did not issue the server's certificate. */
  wrongCaPem: string;
  clientPem: string;
  clientKeyPem: string;
}

export interface PgCaseReport {
  name: string;
  version?: string;
  cipher?: string;
  authorized?: boolean;
  rows?: (string | null)[][][];
  user?: string;
  ended?: unknown;
  /** The error's message, and its code / alert / certificate verdict. */
  error?: string;
  errorCode?: unknown;
  alert?: unknown;
  verifyError?: unknown;
  pgCode?: string;
}

/** The runtime's socket, after the plaintext phase, as a Transport. */
export type Upgrade = (port: number) => Promise<Transport>;

const SSL_QUERY = 'SELECT ssl, version, cipher, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()';

async function runCase(p: PgParams, upgrade: Upgrade, name: string, user: string, extra: Record<string, unknown>): Promise<PgCaseReport> {
  const report: PgCaseReport = { name };
  let tls: TLSSocket | undefined;
  try {
    tls = connect({ transport: await upgrade(p.port), servername: 'localhost', ca: p.caPem, ...extra });
    const info = await tls.opened;
    Object.assign(report, { version: info.version, cipher: info.cipher, authorized: info.authorized });
    const r = await pgSession(tls, { user, queries: ['SELECT 1', SSL_QUERY] });
    Object.assign(report, { rows: r.rows, user: r.parameters.session_authorization, ended: r.ended });
  } catch (e) {
    const x = e as { message?: string; code?: unknown; alert?: unknown; verifyError?: unknown };
    report.error = String(x.message ?? e);
    if (e instanceof PgError) report.pgCode = e.code;
    else Object.assign(report, { errorCode: x.code, alert: x.alert, verifyError: x.verifyError });
  } finally {
    await tls?.close();
  }
  return report;
}

/** The four cases with `upgrade`; with `other` (a second way of doing
 * the plaintext phase in the same runtime) one more trusted session. */
export async function runPg(source: WasmSource, p: PgParams, upgrade: Upgrade, other?: Upgrade): Promise<PgCaseReport[]> {
  await init(source);
  const out = [
    await runCase(p, upgrade, 'trusted', 'trusted', {}),
    await runCase(p, upgrade, 'client certificate', 'certuser', { cert: p.clientPem, key: p.clientKeyPem }),
    await runCase(p, upgrade, 'wrong CA', 'trusted', { ca: p.wrongCaPem }),
    await runCase(p, upgrade, 'no client certificate', 'certuser', {}),
  ];
  if (other) out.push(await runCase(p, other, 'trusted, the other plaintext phase', 'trusted', {}));
  return out;
}
