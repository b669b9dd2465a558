/**
 * A transport that fails under an established TLS connection: connect()
 * over `open()`, one write, then the origin resets the TCP connection.
 * Issue #15: "Errors are always TLSErrors with a code (a transport
 * ECONNRESET/EPIPE becomes a TLSError whose cause is the original)". The
 * same code runs in Deno (Deno.connect), workerd (cloudflare:sockets) and
 * Node (a Wisp stream); test/transport-errors.runtimes.test.ts bakes the
 * parameters in and checks the report.
 */
import type { Transport } from '../../ts/adapters/types.js';
import { connect } from '../../ts/api/tls.js';
import { TLSError } from '../../ts/core/errors.js';
import { init, type WasmSource } from '../../ts/core/loader.js';

export interface ResetParams {
  port: number;
  caPem: string;
}

export interface ResetReport {
  /** What the readable's read() rejected with. */
  isTLSError?: boolean;
  name?: string;
  code?: string;
  message?: string;
  /** The transport's own error, kept as `cause`. */
  causeName?: string;
  causeMessage?: string;
  /** Whether `closed` and `opened` settled, and how. */
  closed?: string;
  /** Anything else that went wrong (opened rejected, the read ended cleanly). */
  error?: string;
}

/** `afterWrite`: called once the first bytes are written (a test that
 * breaks the transport itself, not the origin, does it there). */
export async function runReset(
  source: WasmSource,
  p: ResetParams,
  open: (port: number) => Promise<Transport>,
  afterWrite?: () => void,
): Promise<ResetReport> {
  const report: ResetReport = {};
  try {
    await init(source);
    const tls = connect({ transport: await open(p.port), servername: 'localhost', ca: p.caPem });
    await tls.opened;
    const w = tls.writable.getWriter();
    await w.write(new TextEncoder().encode('reset me'));
    afterWrite?.();
    const r = tls.readable.getReader();
    try {
      for (;;) {
        const { done } = await r.read();
        if (done) throw new Error('the readable ended cleanly after a reset');
      }
    } catch (e) {
      const err = e as Error & { code?: string; cause?: unknown };
      if (err.message === 'the readable ended cleanly after a reset') throw err;
      report.isTLSError = err instanceof TLSError;
      report.name = err.name;
      report.code = err.code;
      report.message = err.message;
      const cause = err.cause as Error | undefined;
      report.causeName = cause?.name;
      report.causeMessage = cause?.message;
    }
    report.closed = await tls.closed.then(
      () => 'resolved',
      (e: Error & { code?: string }) => `rejected ${e.code}`,
    );
  } catch (e) {
    report.error = String((e as Error)?.stack ?? e);
  }
  return report;
}
