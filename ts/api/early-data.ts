/**
 * connect()'s `earlyData` option: 0-RTT (RFC 8446 2.3, 4.2.10) over the
 * SSL object's `writeEarlyData` / `getEarlyDataStatus`.
 *
 * The bytes go as early data when the offered session allows it (its
 * ticket's max_early_data_size holds them all), and as ordinary data
 * right after the handshake otherwise, before anything written to the
 * socket's writable. When the server refuses the early data (RFC 8446
 * 4.2.10: it skips it; nothing of it reaches the application), the bytes
 * are sent again after the handshake (`earlyDataRejected: 'resend'`, the
 * default), or the handshake fails with a TLSError whose code is
 * `ERR_TLS_EARLY_DATA_REJECTED` (`'error'`), for a caller that must not
 * send them under 1-RTT without deciding again. Never silently lost.
 */
import type { Connection } from '../core/connection.js';
import { TLSError } from '../core/errors.js';

/** What became of {@link ConnectOptions.earlyData}: `'accepted'` (the
 * server took it as 0-RTT), `'rejected'` (it refused; the bytes were sent
 * again after the handshake), `'not-sent'` (no early data was offered:
 * none given, or the session allows none; given bytes went after the
 * handshake), as OpenSSL's SSL_get_early_data_status. */
export type EarlyDataOutcome = 'accepted' | 'rejected' | 'not-sent';

export interface EarlyPlan {
  data: Uint8Array;
  onReject: 'resend' | 'error';
}

/** The checked options; undefined without early data. */
export function earlyPlan(o: { earlyData?: unknown; earlyDataRejected?: unknown }): EarlyPlan | undefined {
  const r = o.earlyDataRejected;
  if (r !== undefined && r !== 'resend' && r !== 'error') {
    throw new TypeError("connect: `earlyDataRejected` must be 'resend' or 'error'");
  }
  const d = o.earlyData;
  if (d === undefined) return undefined;
  if (!(d instanceof Uint8Array)) throw new TypeError('connect: `earlyData` must be a Uint8Array');
  // A copy: the caller may reuse its buffer while the handshake runs, and
  // the bytes may have to be sent a second time.
  return d.length ? { data: d.slice(), onReject: r ?? 'resend' } : undefined;
}

/**
 * Before the handshake: the ClientHello and as much of the data as 0-RTT
 * as the session allows (all or nothing: a part would leave the server's
 * application with a fragment it cannot act on). Returns the bytes sent
 * as early data (0: none, the handshake goes as usual). `send` hands the
 * engine's output to the transport.
 */
export async function writeEarly(conn: Connection, plan: EarlyPlan, send: () => Promise<void>): Promise<number> {
  if (conn.getMaxEarlyData() < plan.data.length) return 0;
  let off = 0;
  while (off < plan.data.length) {
    const r = conn.writeEarlyData(plan.data.subarray(off));
    if (r.ok) off += r.written;
    else if (conn.getError(false) !== 'WANT_WRITE') break; // not offered after all: 1-RTT
    await send();
  }
  return off;
}

/**
 * After the handshake: the outcome and the bytes still to send as
 * ordinary data (undefined: none), or the error to fail with.
 */
export function afterHandshake(
  conn: Connection,
  plan: EarlyPlan | undefined,
  sent: number,
): { outcome: EarlyDataOutcome; rest?: Uint8Array; error?: TLSError } {
  if (!plan) return { outcome: 'not-sent' };
  const s = conn.getEarlyDataStatus();
  if (s === 'ACCEPTED') return { outcome: 'accepted', rest: sent < plan.data.length ? plan.data.subarray(sent) : undefined };
  if (s === 'NOT_SENT') return { outcome: 'not-sent', rest: plan.data };
  if (plan.onReject === 'error') {
    const e = new TLSError(
      0,
      `the server rejected the ${sent} bytes of 0-RTT early data (RFC 8446 4.2.10); earlyDataRejected: 'error' asked not to resend them`,
    );
    e.code = 'ERR_TLS_EARLY_DATA_REJECTED';
    return { outcome: 'rejected', error: e };
  }
  return { outcome: 'rejected', rest: plan.data };
}
