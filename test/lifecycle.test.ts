/**
 * Every path through connect()/accept() ends (issue #15, "Lifecycle of
 * connect()/accept()": "a test walks every path (close in each handshake
 * state, abort, transport error in each direction, peer alert, forged
 * record after a local half-close) and checks that all four [opened,
 * readable, writable, closed] settle and the module's memory returns to
 * its baseline").
 *
 * Each row is one path, run with wasmtls as the client and as the server
 * (the "subject"); the peer is the other role of wasmtls over an in-memory
 * stream pair whose wire the test controls: it can hold the peer's bytes
 * (the handshake stops in a given state), fail the subject's writes or
 * reads as a broken transport does, end the subject's input, or put
 * forged bytes on it. The oracle for the outcome is the peer's engine and
 * RFC 8446 (the alert a forged record draws is bad_record_mac, 5.2); the
 * oracle for memory is the allocator's own count
 * (`wasm().memoryUsage().used`), which must come back to what it was
 * before the row (connect()/accept() dispose the engine and their own
 * context when `closed` settles).
 *
 * The same over TCP (Node sockets: a forged record after our half-close,
 * EPIPE after the read side ended) and over a WebSocket dropped without a
 * close frame, where Node's and the WebSocket's own errors are the
 * oracle for the `cause` of the TLSError.
 */
import { once } from 'node:events';
import { createServer as netServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import { fromWebSocket } from '../ts/adapters/websocket.js';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { releaseIdleContexts } from '../ts/core/context-cache.js';
import { ALERT, TLSError } from '../ts/core/errors.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

const W = useBuild('simd');
/** Bytes in use once the contexts connect()/accept() keep idle for the
 * next connection (core/context-cache) are released: what is left is
 * what the connections hold. */
const inUse = (): number => {
  releaseIdleContexts();
  return W.memoryUsage().used;
};
let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

/** How long a promise may take to settle before it counts as pending.
 * Generous (a noisy machine); the lingering end of a failed connection
 * takes up to 2 s by design. */
const BOUND_MS = 8000;
const enc = new TextEncoder();

type Outcome<T> = { ok: T } | { err: unknown } | 'pending';

async function outcome<T>(p: Promise<T>, ms = BOUND_MS): Promise<Outcome<T>> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const timer = new Promise<'pending'>((r) => {
    t = setTimeout(() => r('pending'), ms);
  });
  try {
    return await Promise.race([
      p.then(
        (ok) => ({ ok }),
        (err: unknown) => ({ err }),
      ),
      timer,
    ]);
  } finally {
    clearTimeout(t);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The in-memory wire between the subject and its peer. Bytes from the
 * peer pass a gate the test opens or shuts; the subject's writes can be
 * made to fail; forged bytes and the end of input can be put on the
 * subject's side.
 */
class Wire {
  readonly subject;
  readonly peer;
  /** Chunks the peer wrote (whether delivered or held). */
  peerChunks = 0;
  /** Writes the subject made to its transport after closing it. */
  writesAfterClose = 0;
  /** Chunks the subject wrote that reached the peer. */
  subjectChunks = 0;
  private open = true;
  /** The subject's writes never complete from now on (see stallWrites()). */
  private stall = false;
  /** Writes of the subject's that are stuck. */
  stalled = 0;
  /** See holdAfterFirstRecord(). */
  private firstRecordOnly = false;
  private opened: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private readonly toSubject: WritableStreamDefaultWriter<Uint8Array>;
  private readonly toPeer: WritableStreamDefaultWriter<Uint8Array>;

  constructor() {
    const p2s = new TransformStream<Uint8Array, Uint8Array>();
    const s2p = new TransformStream<Uint8Array, Uint8Array>();
    this.toSubject = p2s.writable.getWriter();
    this.toPeer = s2p.writable.getWriter();
    this.toSubject.closed.catch(() => {});
    this.toPeer.closed.catch(() => {});
    const subjectOut = new WritableStream<Uint8Array>({
      write: async (c) => {
        if (this.writeError !== undefined) throw this.writeError;
        if (this.stall) {
          // A peer that does not read: the write never completes.
          this.stalled++;
          await new Promise<void>(() => {});
        }
        this.subjectChunks++;
        await this.toPeer.write(c);
      },
      close: async () => {
        if (this.writeError !== undefined) throw this.writeError;
        await this.toPeer.close();
      },
      abort: (why) => this.toPeer.abort(why).catch(() => {}),
    });
    const peerOut = new WritableStream<Uint8Array>({
      write: async (c) => {
        this.peerChunks++;
        if (this.firstRecordOnly) {
          // Deliver the peer's first record, hold everything after it.
          this.firstRecordOnly = false;
          const n = 5 + ((c[3]! << 8) | c[4]!);
          await this.toSubject.write(c.subarray(0, n));
          this.hold();
          c = c.subarray(n);
          if (c.length === 0) return;
        }
        await this.gate;
        await this.toSubject.write(c);
      },
      close: async () => {
        await this.gate;
        await this.toSubject.close();
      },
      abort: (why) => this.toSubject.abort(why).catch(() => {}),
    });
    this.subject = fromStreams({ readable: p2s.readable, writable: subjectOut });
    // Count writes the subject makes to its transport after closing it:
    // Node 20's writer.write() on a closed WritableStream throws
    // ERR_INTERNAL_ASSERTION synchronously (issue #15).
    const writable = this.subject.writable;
    const getWriter = writable.getWriter.bind(writable);
    Object.defineProperty(writable, 'getWriter', {
      value: () => {
        const w = getWriter();
        const write = w.write.bind(w);
        const close = w.close.bind(w);
        let closed = false;
        w.write = (c?: Uint8Array) => {
          if (closed) this.writesAfterClose++;
          return write(c);
        };
        w.close = () => {
          closed = true;
          return close();
        };
        return w;
      },
    });
    this.peer = fromStreams({ readable: s2p.readable, writable: peerOut });
  }

  /** Hold the peer's bytes from now on (they wait, in order). */
  hold(): void {
    if (!this.open) return;
    this.open = false;
    this.gate = new Promise<void>((r) => (this.opened = r));
  }

  /** Let the peer's first record through (a ClientHello, a ServerHello),
   * then hold the rest: the handshake stops half-way. */
  holdAfterFirstRecord(): void {
    this.firstRecordOnly = true;
  }

  release(): void {
    this.open = true;
    this.opened?.();
  }

  /** The peer stops reading: the subject's writes from now on never
   * complete (a TCP window that stays shut). */
  stallWrites(): void {
    this.stall = true;
  }

  /** The subject's writes (and its half-close) fail with `err` from now on. */
  failWrites(err: unknown): void {
    this.writeError = err;
  }

  /** The subject's input fails with `err` (a reset). */
  failReads(err: unknown): void {
    void this.toSubject.abort(err).catch(() => {});
  }

  /** The subject's input ends (a FIN without close_notify). */
  endInput(): void {
    void this.toSubject.close().catch(() => {});
  }

  /** Forged bytes on the peer's input (as if from the subject). */
  injectToPeer(bytes: Uint8Array): Promise<void> {
    return this.toPeer.write(bytes);
  }

  /** Forged bytes on the subject's input. */
  inject(bytes: Uint8Array): Promise<void> {
    return this.toSubject.write(bytes);
  }
}

type Role = 'client' | 'server';

interface Run {
  wire: Wire;
  subject: TLSSocket;
  peer: TLSSocket;
  /** The subject's writer (taken at once: the test owns the writable). */
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** The subject's readable read to its end or error. */
  read: Promise<{ text: string; err: unknown }>;
  ac: AbortController;
}

function drain(tls: TLSSocket): Promise<{ text: string; err: unknown }> {
  const r = tls.readable.getReader();
  let text = '';
  const dec = new TextDecoder();
  return (async () => {
    try {
      for (;;) {
        const x = await r.read();
        if (x.done) return { text, err: undefined };
        text += dec.decode(x.value, { stream: true });
      }
    } catch (err) {
      return { text, err };
    }
  })();
}

interface Opts {
  /** Options of the subject (beside transport, cert, ca). */
  subject?: Record<string, unknown>;
  /** Options of the peer. */
  peer?: Record<string, unknown>;
  /** See Wire.holdAfterFirstRecord(). */
  holdAfterFirstRecord?: boolean;
  /** See Wire.stallWrites(): from the start. */
  stallWrites?: boolean;
}

function start(role: Role, o: Opts = {}): Run {
  const wire = new Wire();
  const ac = new AbortController();
  const client = (transport: Wire['subject'], extra?: Record<string, unknown>) =>
    connect({ transport, servername: 'localhost', ca: pki.caPem, ...extra });
  const server = (transport: Wire['subject'], extra?: Record<string, unknown>) =>
    accept({ transport, cert: pki.serverChainPem, key: pki.serverKeyPem, ...extra });
  if (o.holdAfterFirstRecord) wire.holdAfterFirstRecord();
  if (o.stallWrites) wire.stallWrites();
  const sOpts = { signal: ac.signal, ...o.subject };
  const subject = role === 'client' ? client(wire.subject, sOpts) : server(wire.subject, sOpts);
  const peer = role === 'client' ? server(wire.peer, o.peer) : client(wire.peer, o.peer);
  subject.opened.catch(() => {});
  peer.opened.catch(() => {});
  peer.closed.catch(() => {});
  const writer = subject.writable.getWriter();
  writer.closed.catch(() => {});
  return { wire, subject, peer, writer, read: drain(subject), ac };
}

/** What became of the subject's four promises. */
interface Settled {
  opened: Outcome<unknown>;
  readable: Outcome<{ text: string; err: unknown }>;
  writable: Outcome<void>;
  closed: Outcome<void>;
}

async function settled(r: Run): Promise<Settled> {
  const [opened, readable, writable, closed] = await Promise.all([
    outcome(r.subject.opened),
    outcome(r.read),
    outcome(r.writer.closed),
    outcome(r.subject.closed),
  ]);
  return { opened, readable, writable, closed };
}

const errOf = (o: Outcome<unknown>): unknown => (typeof o === 'object' && 'err' in o ? o.err : undefined);

/** Wait until `f()` holds (polling), at most BOUND_MS. */
async function until(f: () => boolean): Promise<void> {
  const end = Date.now() + BOUND_MS;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(5);
  }
}

/** A TLS 1.3 application_data record that no key made (RFC 8446 5.2). */
function forgedRecord(): Uint8Array {
  const body = new Uint8Array(40).fill(0x5a);
  return new Uint8Array([0x17, 0x03, 0x03, 0x00, body.length, ...body]);
}

interface Row {
  name: string;
  opts?: Opts | ((role: Role) => Opts);
  /** Drive the path; the subject's four promises are then awaited. */
  run(r: Run, role: Role): Promise<void>;
  /** Check the outcome (the four are already known to have settled). */
  check(s: Settled, role: Role, r: Run): void | Promise<void>;
  /** More checks on the run. */
  extra?(r: Run): void;
}

function expectTLSError(e: unknown, code?: string): TLSError {
  expect(e).toBeInstanceOf(TLSError);
  if (code !== undefined) expect((e as TLSError).code).toBe(code);
  return e as TLSError;
}

const rows: Row[] = [
  {
    name: 'orderly: data both ways, the peer half-closes, the subject reads to the end and closes its writable',
    opts: { subject: { allowHalfOpen: true } },
    async run(r) {
      await r.subject.opened;
      await r.writer.write(enc.encode('ping'));
      const pw = r.peer.writable.getWriter();
      await pw.write(enc.encode('pong'));
      await pw.close();
      await r.read;
      await r.writer.close();
    },
    check(s) {
      expect(s.readable).toEqual({ ok: { text: 'pong', err: undefined } });
      expect(s.writable).toEqual({ ok: undefined });
      expect(s.closed).toEqual({ ok: undefined });
    },
  },
  {
    // The issue's race: "the client closes its writable, the server reads
    // to the end and calls writable.close(): that rejects with TypeError:
    // Invalid state: WritableStream is closed and closed never settles".
    name: 'orderly close race: the peer closes its writable; the subject reads to the end and closes its writable (default allowHalfOpen)',
    async run(r) {
      await r.subject.opened;
      await r.peer.writable.getWriter().close();
      await r.read;
      await r.writer.close();
    },
    check(s) {
      expect(s.readable).toEqual({ ok: { text: '', err: undefined } });
      expect(s.writable).toEqual({ ok: undefined });
      expect(s.closed).toEqual({ ok: undefined });
    },
  },
  ...[false, true].map(
    (halfOpen): Row => ({
      // "A transport that the peer already closed after our close_notify
      // is a normal end": the peer is gone entirely (its transport closed,
      // so our close_notify meets a closed or errored stream).
      name: `the peer sends close_notify and closes its transport; the subject reads to the end, then closes its writable (allowHalfOpen ${halfOpen})`,
      opts: { subject: { allowHalfOpen: halfOpen } },
      async run(r) {
        await r.subject.opened;
        await r.peer.writable.getWriter().close();
        await r.peer.close();
        await r.read;
        await r.writer.close();
      },
      check(s) {
        expect(s.readable).toEqual({ ok: { text: '', err: undefined } });
        expect(s.writable).toEqual({ ok: undefined });
        expect(s.closed).toEqual({ ok: undefined });
      },
    }),
  ),
  {
    name: 'the peer ends; the subject never touches its writable (it ends itself)',
    async run(r) {
      await r.subject.opened;
      await r.peer.writable.getWriter().close();
      await r.read;
    },
    check(s) {
      expect(s.readable).toEqual({ ok: { text: '', err: undefined } });
      expect(s.closed).toEqual({ ok: undefined });
      // The writable is done too: a write after the end rejects.
      expect(s.writable).not.toBe('pending');
    },
  },
  ...(['before any byte of the peer', 'mid-handshake (peer bytes held)', 'after the handshake'] as const).flatMap((when): Row[] => {
    const reach = async (r: Run): Promise<void> => {
      if (when === 'before any byte of the peer') r.wire.hold();
      else if (when === 'mid-handshake (peer bytes held)') {
        // The client has the ServerHello and waits for the rest of the
        // server's flight; the server has the ClientHello, has answered
        // and waits for the client's Finished.
        await until(() => r.wire.peerChunks >= 1);
        await sleep(20);
      } else await r.subject.opened;
    };
    const beforeOpen = when !== 'after the handshake';
    const hsOpts: Opts = { holdAfterFirstRecord: when === 'mid-handshake (peer bytes held)' };
    return [
      {
        name: `close() ${when}`,
        opts: hsOpts,
        async run(r) {
          await reach(r);
          await r.subject.close();
        },
        check(s) {
          if (beforeOpen) {
            const e = expectTLSError(errOf(s.opened), 'ECONNRESET');
            expect(errOf(s.readable)).toBe(undefined); // the drain saw the error:
            expect((s.readable as { ok: { err: unknown } }).ok.err).toBe(e);
          } else {
            expect(s.readable).toEqual({ ok: { text: '', err: undefined } });
          }
          expect(s.writable).toHaveProperty('err');
          expect(s.closed).toEqual({ ok: undefined });
        },
      },
      {
        name: `abort ${when}`,
        opts: hsOpts,
        async run(r) {
          await reach(r);
          r.ac.abort(new Error('stop'));
        },
        check(s) {
          if (beforeOpen) {
            const e = expectTLSError(errOf(s.opened), 'ABORT_ERR');
            expect((e.cause as Error).message).toBe('stop');
            expect(errOf(s.closed)).toBe(e);
          } else {
            expect((errOf(s.closed) as Error).message).toBe('stop');
          }
          expect(s.writable).toHaveProperty('err');
          expect((s.readable as { ok: { err: unknown } }).ok.err).toBeDefined();
        },
      },
      {
        name: `transport read error ${when}`,
        opts: hsOpts,
        async run(r) {
          await reach(r);
          r.wire.failReads(new Error('reset by the wire'));
        },
        check(s) {
          // The stream pair's error has no code of its own.
          const e = expectTLSError(errOf(s.closed), 'ERR_TLS_TRANSPORT');
          expect((e.cause as Error).message).toBe('reset by the wire');
          if (beforeOpen) expect(errOf(s.opened)).toBe(e);
          expect(s.writable).toHaveProperty('err');
        },
      },
      {
        name: `transport write error ${when}`,
        opts: hsOpts,
        async run(r) {
          await reach(r);
          r.wire.failWrites(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
          r.wire.release();
          // A server whose flight went out before the failure may finish
          // its handshake: the next write meets the failure.
          if (
            await r.subject.opened.then(
              () => true,
              () => false,
            )
          )
            await r.writer.write(enc.encode('x')).catch(() => {});
        },
        check(s) {
          const e = expectTLSError(errOf(s.closed));
          expect(e.code).toBe('EPIPE');
          expect(s.writable).toHaveProperty('err');
        },
      },
    ];
  }),
  {
    // Issue #15: close() during the handshake "never settles over a stream
    // pair whose peer does not read". The client's ClientHello, the
    // server's flight (the ClientHello reached it) is stuck in the write.
    name: 'close() during the handshake while our flight is stuck (the peer does not read)',
    opts: { stallWrites: true },
    async run(r) {
      await until(() => r.wire.stalled >= 1);
      await r.subject.close();
    },
    check(s) {
      expectTLSError(errOf(s.opened), 'ECONNRESET');
      expect(s.writable).toHaveProperty('err');
      expect(s.closed).toEqual({ ok: undefined });
    },
  },
  ...(['close()', 'abort'] as const).map(
    (how): Row => ({
      name: `${how} after the handshake while a write is stuck (the peer does not read)`,
      async run(r) {
        await r.subject.opened;
        r.wire.stallWrites();
        const w = r.writer.write(new Uint8Array(100_000));
        await until(() => r.wire.stalled >= 1);
        if (how === 'close()') await r.subject.close();
        else r.ac.abort(new Error('stop'));
        expect(await outcome(w)).toHaveProperty('err');
      },
      check(s) {
        expect(s.writable).toHaveProperty('err');
        if (how === 'close()') expect(s.closed).toEqual({ ok: undefined });
        else expect((errOf(s.closed) as Error).message).toBe('stop');
      },
    }),
  ),
  {
    name: 'transport write error (EPIPE) after the read side ended',
    opts: { subject: { allowHalfOpen: true } },
    async run(r) {
      await r.subject.opened;
      await r.peer.writable.getWriter().close();
      await r.read;
      r.wire.failWrites(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
      await r.writer.write(enc.encode('late')).catch(() => {});
    },
    check(s) {
      expect(s.readable).toEqual({ ok: { text: '', err: undefined } });
      expectTLSError(errOf(s.closed), 'EPIPE');
      expect(s.writable).toHaveProperty('err');
    },
  },
  {
    name: 'a non-bytes chunk written: a TypeError to the writer, the connection ends',
    async run(r) {
      await r.subject.opened;
      await r.writer.write(enc.encode('before'));
      await r.writer.write('text' as unknown as Uint8Array).catch(() => {});
    },
    async check(s, _role, r) {
      const e = errOf(s.writable);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as { code?: string }).code).toBe('ERR_INVALID_ARG_TYPE');
      expect((s.readable as { ok: { err: unknown } }).ok.err).toBe(e);
      expect(errOf(s.closed)).toBe(e);
      // On the wire a clean end: the peer reads what came before, then
      // our close_notify.
      expect(await outcome(drain(r.peer))).toEqual({ ok: { text: 'before', err: undefined } });
    },
  },
  {
    name: "the transport ends without the peer's close_notify (truncation)",
    async run(r) {
      await r.subject.opened;
      r.wire.endInput();
    },
    check(s) {
      const e = expectTLSError((s.readable as { ok: { err: unknown } }).ok.err, 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING');
      expect(errOf(s.closed)).toBe(e);
    },
  },
  {
    name: 'the peer refuses the handshake with an alert',
    // The peer trusts nothing that signed the subject's certificate (as a
    // server: a client certificate is required and none comes).
    opts: (role) => (role === 'client' ? { peer: { requestCert: true, ca: pki.caPem } } : { peer: { ca: pki.strangerPem } }),
    async run(r) {
      await r.subject.opened.catch(() => {});
      await r.read;
    },
    check(s, role) {
      const e = expectTLSError(errOf(s.closed));
      expect(e.alertDirection).toBe('received');
      expect(e.alert).toBe(role === 'client' ? ALERT.certificate_required : ALERT.unknown_ca);
    },
  },
  {
    name: "the peer's fatal alert after the handshake (a forged record reached the peer)",
    async run(r) {
      await r.subject.opened;
      await r.wire.injectToPeer(forgedRecord());
      await r.read;
    },
    check(s) {
      const e = expectTLSError((s.readable as { ok: { err: unknown } }).ok.err, 'ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC');
      expect(e.alert).toBe(ALERT.bad_record_mac);
      expect(e.alertDirection).toBe('received');
      expect(errOf(s.closed)).toBe(e);
      expect(s.writable).toHaveProperty('err');
    },
  },
  {
    name: 'a forged record after a local half-close: bad_record_mac',
    opts: { subject: { allowHalfOpen: true } },
    async run(r) {
      await r.subject.opened;
      await r.writer.close();
      await r.wire.inject(forgedRecord());
    },
    check(s) {
      const e = expectTLSError((s.readable as { ok: { err: unknown } }).ok.err);
      // We answer with bad_record_mac (RFC 8446 5.2); the code is
      // OpenSSL's reason, as Node says it.
      expect(e.alert).toBe(ALERT.bad_record_mac);
      expect(e.alertDirection).toBe('sent');
      expect(e.code).toBe('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
      expect(errOf(s.closed)).toBe(e);
    },
    extra(r) {
      // The alert has nowhere to go after our half-close: not written.
      expect(r.wire.writesAfterClose).toBe(0);
    },
  },
];

/** One whole connection first: what the module allocates once (tables,
 * caches) is then allocated, and the baseline is the steady state. */
async function warmUp(): Promise<void> {
  const r = start('client');
  await r.subject.opened;
  await r.writer.close();
  await r.read;
  await r.subject.closed;
  await r.peer.closed;
}

describe('every path of connect()/accept() settles all four and frees the memory', () => {
  beforeAll(warmUp, 30_000);
  for (const role of ['client', 'server'] as const) {
    for (const row of rows) {
      it(`${role}: ${row.name}`, async () => {
        const base = inUse();
        const r = start(role, typeof row.opts === 'function' ? row.opts(role) : row.opts);
        await row.run(r, role);
        const s = await settled(r);
        expect(s.opened, 'opened').not.toBe('pending');
        expect(s.readable, 'readable').not.toBe('pending');
        expect(s.writable, 'writable').not.toBe('pending');
        expect(s.closed, 'closed').not.toBe('pending');
        await row.check(s, role, r);
        row.extra?.(r);
        // The engine is disposed once closed settled.
        expect(() => r.subject.connection.version).toThrow();
        // The peer is ended by the test (its fate is not the subject's).
        r.wire.release();
        await r.peer.close();
        expect(await outcome(r.peer.closed)).not.toBe('pending');
        expect(inUse()).toBe(base);
      }, 30_000);
    }
  }
});

/** A TCP connection on 127.0.0.1: the subject's socket and the raw
 * socket of its peer. */
async function tcpPair(): Promise<{ mine: Socket; theirs: Socket; server: Server }> {
  const server = netServer({ allowHalfOpen: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const mine = netConnect({ host: '127.0.0.1', port, allowHalfOpen: true });
  await once(mine, 'connect');
  const [theirs] = await accepted;
  theirs.on('error', () => {});
  return { mine, theirs, server };
}

describe('over TCP (Node sockets)', () => {
  beforeAll(warmUp, 30_000);
  for (const role of ['client', 'server'] as const) {
    it(`${role}: a forged record after a local half-close is bad_record_mac, not ERR_INTERNAL_ASSERTION; all four settle`, async () => {
      const base = inUse();
      const { mine, theirs, server } = await tcpPair();
      const subjectOpts = { transport: fromNodeSocket(mine), allowHalfOpen: true };
      const peerT = fromNodeSocket(theirs);
      const subject =
        role === 'client'
          ? connect({ ...subjectOpts, servername: 'localhost', ca: pki.caPem })
          : accept({ ...subjectOpts, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const peer =
        role === 'client'
          ? accept({ transport: peerT, cert: pki.serverChainPem, key: pki.serverKeyPem, allowHalfOpen: true })
          : connect({ transport: peerT, servername: 'localhost', ca: pki.caPem, allowHalfOpen: true });
      peer.closed.catch(() => {});
      await Promise.all([subject.opened, peer.opened]);
      const writer = subject.writable.getWriter();
      const read = drain(subject);
      await writer.close();
      // The peer's engine is bypassed: forged bytes on its raw socket.
      theirs.write(forgedRecord());
      const [rd, cl] = await Promise.all([outcome(read), outcome(subject.closed)]);
      expect(rd).not.toBe('pending');
      expect(cl).not.toBe('pending');
      const e = expectTLSError((rd as { ok: { err: unknown } }).ok.err);
      expect(e.alert).toBe(ALERT.bad_record_mac);
      expect(errOf(cl)).toBe(e);
      expect(await outcome(writer.closed)).toEqual({ ok: undefined });
      await peer.close();
      await outcome(peer.closed);
      theirs.destroy();
      server.close();
      expect(inUse()).toBe(base);
    }, 30_000);

    it(`${role}: a write that meets EPIPE after the read side ended: closed rejects with a TLSError (EPIPE) whose cause is Node's error`, async () => {
      const base = inUse();
      const { mine, theirs, server } = await tcpPair();
      const subjectOpts = { transport: fromNodeSocket(mine), allowHalfOpen: true };
      const peerT = fromNodeSocket(theirs);
      const subject =
        role === 'client'
          ? connect({ ...subjectOpts, servername: 'localhost', ca: pki.caPem })
          : accept({ ...subjectOpts, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const peer =
        role === 'client'
          ? accept({ transport: peerT, cert: pki.serverChainPem, key: pki.serverKeyPem, allowHalfOpen: true })
          : connect({ transport: peerT, servername: 'localhost', ca: pki.caPem, allowHalfOpen: true });
      peer.closed.catch(() => {});
      await Promise.all([subject.opened, peer.opened]);
      const writer = subject.writable.getWriter();
      const read = drain(subject);
      // The peer ends (close_notify, FIN) and goes away without reading.
      await peer.writable.getWriter().close();
      expect(await outcome(read)).toEqual({ ok: { text: '', err: undefined } });
      theirs.resetAndDestroy();
      await once(theirs, 'close');
      let err: unknown;
      // The first writes may still be taken by the kernel: write until the
      // reset comes back (bounded by the count, not by time).
      for (let i = 0; i < 300 && err === undefined; i++) {
        await writer.write(new Uint8Array(1000)).catch((e: unknown) => (err = e));
        await sleep(10);
      }
      const cl = await outcome(subject.closed);
      expect(cl).not.toBe('pending');
      const e = expectTLSError(errOf(cl));
      expect(['EPIPE', 'ECONNRESET']).toContain(e.code);
      expect((e.cause as NodeJS.ErrnoException).code).toBe(e.code);
      expect(await outcome(writer.closed)).toHaveProperty('err');
      await outcome(peer.closed);
      server.close();
      expect(inUse()).toBe(base);
    }, 30_000);
  }
});

describe('over a WebSocket (ws): a transport failure is a TLSError whose cause is the transport error', () => {
  beforeAll(warmUp, 30_000);
  for (const role of ['client', 'server'] as const) {
    it(`${role}: the connection dropped without a close frame (1006) after the handshake`, async () => {
      const base = inUse();
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      await once(wss, 'listening');
      const arrived = once(wss, 'connection') as Promise<[WebSocket]>;
      const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
      const [theirs] = await arrived;
      const subjectT = fromWebSocket(ws);
      const peerT = fromWebSocket(theirs);
      const subject =
        role === 'client'
          ? connect({ transport: subjectT, servername: 'localhost', ca: pki.caPem })
          : accept({ transport: subjectT, cert: pki.serverChainPem, key: pki.serverKeyPem });
      const peer =
        role === 'client'
          ? accept({ transport: peerT, cert: pki.serverChainPem, key: pki.serverKeyPem })
          : connect({ transport: peerT, servername: 'localhost', ca: pki.caPem });
      peer.closed.catch(() => {});
      await Promise.all([subject.opened, peer.opened]);
      const read = drain(subject);
      theirs.terminate(); // the TCP connection is destroyed: no close frame
      const [rd, cl] = await Promise.all([outcome(read), outcome(subject.closed)]);
      expect(rd).not.toBe('pending');
      const e = expectTLSError(errOf(cl), 'ERR_TLS_TRANSPORT');
      expect((e.cause as Error).message).toMatch(/WebSocket transport: closed with code 1006/);
      expect((rd as { ok: { err: unknown } }).ok.err).toBe(e);
      await outcome(peer.closed);
      await new Promise((r) => wss.close(r));
      expect(inUse()).toBe(base);
    }, 30_000);
  }
});
