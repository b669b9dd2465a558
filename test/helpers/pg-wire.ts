/**
 * A small PostgreSQL client for the STARTTLS tests, frontend/backend
 * protocol 3.0 (PostgreSQL documentation, "Frontend/Backend Protocol",
 * chapter 55 in 15): SSLRequest, then over TLS a StartupMessage, an
 * authentication that needs no password (trust, or `cert`: the client
 * certificate), simple Query, Terminate. Runtime-neutral (WHATWG streams
 * and TextEncoder only): Node, Deno and workerd run the same code.
 *
 * Enough for the tests, not a driver: no passwords, no extended query
 * protocol, text results only.
 */

/** SSLRequest: Int32 length 8, Int32 80877103 (1234 << 16 | 5679). */
export const SSL_REQUEST = /* @__PURE__ */ new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** An ErrorResponse from the server, with its fields by their letter
 * (S severity, C SQLSTATE code, M message, ...). */
export class PgError extends Error {
  readonly fields: Record<string, string>;
  constructor(fields: Record<string, string>) {
    super(`PostgreSQL ${fields.S ?? 'ERROR'} ${fields.C ?? '?'}: ${fields.M ?? '(no message)'}`);
    this.name = 'PgError';
    this.fields = fields;
  }
  get severity(): string | undefined {
    return this.fields.S;
  }
  get code(): string | undefined {
    return this.fields.C;
  }
}

/**
 * Check the server's answer to SSLRequest: one byte, 'S' (go ahead with
 * TLS). 'N' is a refusal; anything after the 'S' is refused as libpq
 * refuses it ("received unencrypted data after SSL response",
 * CVE-2021-23222): a TLS server speaks only after our ClientHello, so
 * such bytes came before TLS, from anyone on the path.
 */
export function checkSslResponse(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new Error('PostgreSQL: empty answer to SSLRequest');
  if (bytes[0] === 0x4e) throw new Error("PostgreSQL: the server refused TLS ('N' to SSLRequest)");
  if (bytes[0] === 0x45) throw new Error('PostgreSQL: the server answered SSLRequest with an error (it does not know it)');
  if (bytes[0] !== 0x53) throw new Error(`PostgreSQL: unexpected answer to SSLRequest: 0x${bytes[0].toString(16)}`);
  if (bytes.length > 1) {
    throw new Error(`PostgreSQL: ${bytes.length - 1} unencrypted byte(s) after the server's 'S' (refused, as libpq does)`);
  }
}

/**
 * The plaintext phase on a pair of WHATWG streams (a Workers socket, a
 * `Deno.Conn`'s streams): send SSLRequest, read the 'S', and release
 * both locks so an adapter can take the streams over.
 */
export async function sslRequestOverStreams(s: {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}): Promise<void> {
  const w = s.writable.getWriter();
  try {
    await w.write(SSL_REQUEST);
  } finally {
    w.releaseLock();
  }
  const r = s.readable.getReader();
  try {
    for (;;) {
      const { value, done } = await r.read();
      if (done) throw new Error('PostgreSQL: the connection ended before the answer to SSLRequest');
      if (value.length === 0) continue;
      checkSslResponse(value);
      return;
    }
  } finally {
    r.releaseLock();
  }
}

/** A connection's plaintext after the TLS handshake (wasmtls `TLSSocket`). */
export interface ByteDuplex {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export interface PgSessionOptions {
  user: string;
  database?: string;
  /** Simple Query texts, run in order. */
  queries: string[];
}

export interface PgSessionResult {
  /** ParameterStatus values (server_version, ...). */
  parameters: Record<string, string>;
  /** Per query, its rows; a value is text or null (SQL NULL). */
  rows: (string | null)[][][];
  /** How the server's side ended after Terminate: the readable's end. */
  ended: 'end' | { error: string };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function message(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type.charCodeAt(0);
  new DataView(out.buffer).setInt32(1, 4 + body.length);
  out.set(body, 5);
  return out;
}

function cstrings(...parts: string[]): Uint8Array {
  return enc.encode(parts.map((p) => `${p}\0`).join(''));
}

/** StartupMessage: Int32 length, Int32 196608 (protocol 3.0), name/value
 * pairs as C strings, a final NUL. */
function startupMessage(user: string, database: string): Uint8Array {
  const pairs = cstrings('user', user, 'database', database, 'application_name', 'wasmtls-test');
  const out = new Uint8Array(8 + pairs.length + 1);
  const v = new DataView(out.buffer);
  v.setInt32(0, out.length);
  v.setInt32(4, 196608);
  out.set(pairs, 8);
  return out;
}

function errorFields(body: Uint8Array): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]);
    const end = body.indexOf(0, i + 1);
    fields[code] = dec.decode(body.subarray(i + 1, end < 0 ? body.length : end));
    i = end < 0 ? body.length : end + 1;
  }
  return fields;
}

/** Reads whole backend messages (Byte1 type, Int32 length incl. itself). */
class Messages {
  private buf = new Uint8Array(0);
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  async next(): Promise<{ type: string; body: Uint8Array }> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = new DataView(this.buf.buffer, this.buf.byteOffset).getInt32(1);
        if (len < 4) throw new Error(`PostgreSQL: bad message length ${len}`);
        if (this.buf.length >= 1 + len) {
          const type = String.fromCharCode(this.buf[0]);
          const body = this.buf.slice(5, 1 + len);
          this.buf = this.buf.subarray(1 + len);
          return { type, body };
        }
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('PostgreSQL: the connection ended in the middle of the session');
      const b = new Uint8Array(this.buf.length + value.length);
      b.set(this.buf);
      b.set(value, this.buf.length);
      this.buf = b;
    }
  }
}

/**
 * Run a session over an established TLS connection: startup and
 * authentication (no password: an AuthenticationOk must come), each query,
 * Terminate; then our close_notify and the server's end. Rejects with a
 * {@link PgError} when the server sends an ErrorResponse (a FATAL one
 * ends the connection: a refused authentication).
 */
export async function pgSession(tls: ByteDuplex, o: PgSessionOptions): Promise<PgSessionResult> {
  const writer = tls.writable.getWriter();
  const reader = tls.readable.getReader();
  const msgs = new Messages(reader);
  const parameters: Record<string, string> = {};
  const rows: (string | null)[][][] = [];
  const untilReady = async (collect?: (string | null)[][]): Promise<void> => {
    for (;;) {
      const m = await msgs.next();
      const v = new DataView(m.body.buffer, m.body.byteOffset, m.body.byteLength);
      switch (m.type) {
        case 'E':
          throw new PgError(errorFields(m.body));
        case 'R': {
          const code = v.getInt32(0);
          // 0 AuthenticationOk; 3 cleartext, 5 MD5, 10 SASL need a password.
          if (code !== 0) throw new Error(`PostgreSQL: the server asks for authentication method ${code}; the test roles need none`);
          break;
        }
        case 'S': {
          const [k, val] = dec.decode(m.body).split('\0');
          parameters[k] = val;
          break;
        }
        case 'D': {
          const n = v.getInt16(0);
          const row: (string | null)[] = [];
          let off = 2;
          for (let i = 0; i < n; i++) {
            const len = v.getInt32(off);
            off += 4;
            if (len < 0) row.push(null);
            else {
              row.push(dec.decode(m.body.subarray(off, off + len)));
              off += len;
            }
          }
          collect?.push(row);
          break;
        }
        case 'Z':
          return;
        default:
          // K BackendKeyData, T RowDescription, C CommandComplete, N notice.
          break;
      }
    }
  };
  try {
    await writer.write(startupMessage(o.user, o.database ?? 'postgres'));
    await untilReady();
    for (const q of o.queries) {
      const got: (string | null)[][] = [];
      await writer.write(message('Q', cstrings(q)));
      await untilReady(got);
      rows.push(got);
    }
    await writer.write(message('X', new Uint8Array(0)));
    await writer.close();
    let ended: PgSessionResult['ended'];
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
      }
      ended = 'end';
    } catch (e) {
      ended = { error: String(e) };
    }
    return { parameters, rows, ended };
  } finally {
    writer.releaseLock();
    reader.releaseLock();
  }
}
