/**
 * A Connection over a Node net.Socket, for the interop tests only (the
 * library's own transport adapters live elsewhere): incoming bytes are
 * queued and fed to the connection's network side as far as it takes them,
 * outgoing ciphertext is written to the socket after every call, and an
 * SSL call is repeated on WANT_READ / WANT_WRITE after moving bytes, as
 * SSL_write(3) asks.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Connection, type TLSContext } from '../../ts/core/connection.js';

export class SocketPump {
  private inq: Buffer[] = [];
  private eof = false;
  private eofGiven = false;
  private waiters: (() => void)[] = [];
  /** Bytes received from the socket so far. */
  bytesIn = 0;

  constructor(
    readonly conn: Connection,
    readonly sock: Socket,
    readonly timeoutMs = 10_000,
  ) {
    sock.on('data', (d: Buffer) => {
      this.bytesIn += d.length;
      this.inq.push(d);
      this.wake();
    });
    const ended = () => {
      this.eof = true;
      this.wake();
    };
    sock.on('end', ended);
    sock.on('close', ended);
    sock.on('error', ended);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitInput(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const left = deadline - Date.now();
      if (left <= 0) {
        reject(new Error('netpump: timed out waiting for the peer'));
        return;
      }
      const t = setTimeout(() => reject(new Error('netpump: timed out waiting for the peer')), left);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Wait until more than `n` bytes have come from the socket. */
  async waitBytesIn(n: number): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.bytesIn <= n) {
      if (this.eof) throw new Error('netpump: the peer closed');
      await this.waitInput(deadline);
    }
  }

  /** Give queued incoming bytes to the connection (and EOF once all went). */
  feed(): void {
    while (this.inq.length) {
      const b = this.inq[0];
      const n = this.conn.network.write(b);
      if (n === b.length) this.inq.shift();
      else {
        this.inq[0] = b.subarray(n);
        break;
      }
    }
    if (this.eof && this.inq.length === 0 && !this.eofGiven) {
      this.conn.network.end();
      this.eofGiven = true;
    }
  }

  /** Write everything the connection has for the peer to the socket. */
  flush(): void {
    for (;;) {
      const out = this.conn.network.read();
      if (out.length === 0) break;
      if (!this.sock.destroyed) this.sock.write(out);
    }
  }

  /**
   * Call `op` until it succeeds (a number > 0 or true); on WANT_READ wait
   * for input, on WANT_WRITE send and retry. Resolves to the last result
   * (a failure other than WANT_*: the caller asks getError).
   */
  async run<T extends number | boolean>(op: () => T): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (let spins = 0; ; spins++) {
      this.feed();
      const r = op();
      this.flush();
      if (r === true || (typeof r === 'number' && r > 0)) return r;
      const e = this.conn.getError(r);
      if (e === 'WANT_WRITE') {
        if (this.sock.writableNeedDrain) await new Promise((res) => this.sock.once('drain', res));
        continue;
      }
      if (e === 'WANT_RETRY_VERIFY' && this.conn.verifyPending) {
        await this.conn.verifyPending;
        continue;
      }
      if (e === 'WANT_READ') {
        if (this.inq.length && spins % 16 !== 15) continue;
        if (this.eofGiven) return r; // the next call reports SYSCALL
        if (!this.inq.length && !this.eof) await this.waitInput(deadline);
        else await new Promise((res) => setImmediate(res));
        if (Date.now() > deadline) throw new Error(`netpump: timed out (${e})`);
        continue;
      }
      return r;
    }
  }

  async handshake(): Promise<void> {
    const r = await this.run(() => this.conn.doHandshake());
    if (r !== 1) throw this.conn.error ?? new Error(`handshake failed: ${this.conn.getError(r)}`);
  }

  async writeAll(data: Uint8Array): Promise<void> {
    const r = await this.run(() => this.conn.write(data));
    if (r !== data.length) throw this.conn.error ?? new Error(`write failed: ${this.conn.getError(r)}`);
  }

  /** Read exactly n bytes of application data. */
  async readExactly(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      let part: Uint8Array = new Uint8Array(0);
      const ok = await this.run(() => {
        const r = this.conn.readEx(n - got);
        part = r.data;
        return r.ok;
      });
      if (!ok) {
        throw this.conn.error ?? new Error(`read failed after ${got} of ${n} bytes: ${this.conn.getError(false)}`);
      }
      out.set(part, got);
      got += part.length;
    }
    return out;
  }

  /** Read until the peer closes; returns the data and how it closed
   * ('ZERO_RETURN' for close_notify, 'SYSCALL' for a bare EOF, ...). */
  async readToEnd(): Promise<{ data: Uint8Array; stop: string }> {
    const parts: Uint8Array[] = [];
    for (;;) {
      let part: Uint8Array = new Uint8Array(0);
      const ok = await this.run(() => {
        const r = this.conn.readEx();
        part = r.data;
        return r.ok;
      });
      if (!ok) {
        const data = Buffer.concat(parts);
        return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), stop: this.conn.getError(false) };
      }
      parts.push(part);
    }
  }

  /** Send close_notify and end the socket. */
  async close(): Promise<void> {
    this.feed();
    this.conn.shutdown();
    this.flush();
    await new Promise<void>((res) => this.sock.end(res));
  }
}

/** Connect to 127.0.0.1:port, retrying while nothing listens yet (a
 * refused connection does not use up a server's -naccept). */
export async function connectRetry(port: number, timeoutMs = 10_000): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.removeListener('error', reject);
          resolve(s);
        });
        s.once('error', reject);
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 40));
    }
  }
}

/** Our server on 127.0.0.1:<ephemeral> with `ctx`: accept() gives the next
 * connection (accept state set) with its pump; dispose() closes the
 * sockets and the server and disposes the connections and `ctx`. */
export async function listenTls(ctx: TLSContext) {
  const sockets: Socket[] = [];
  const queue: Socket[] = [];
  let waiting: ((s: Socket) => void) | undefined;
  const server: Server = createServer((s) => {
    sockets.push(s);
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(s);
    } else queue.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const conns: Connection[] = [];
  return {
    port: (server.address() as AddressInfo).port,
    async accept(): Promise<{ conn: Connection; pump: SocketPump }> {
      const s =
        queue.shift() ??
        (await new Promise<Socket>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no connection came')), 10_000);
          waiting = (x) => {
            clearTimeout(t);
            resolve(x);
          };
        }));
      const conn = new Connection(ctx);
      conns.push(conn);
      conn.setAcceptState();
      return { conn, pump: new SocketPump(conn, s) };
    },
    dispose(): void {
      for (const s of sockets) s.destroy();
      server.close();
      for (const c of conns) c.dispose();
      ctx.dispose();
    },
  };
}
