/**
 * The Node socket adapter without WHATWG streams (adapters/direct-port.ts,
 * issue #16): connect() reads and writes the socket through a DirectPort,
 * and the adapter's own streams are made only when touched. Checked
 * against independent oracles: a real ReadableStream given the same
 * calls as the ByteQueue, a Node net server's bytes, a Node tls echo
 * server.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, createServer, type AddressInfo, type Server } from 'node:net';
import * as nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { connect, releaseIdleContexts } from '../ts/api/tls.js';
import { ByteQueue } from '../ts/adapters/direct-port.js';
import { wasm } from '../ts/core/loader.js';
import { useBuild } from './helpers/env.js';
import { makePki, type Pki } from './helpers/pki.js';

useBuild('simd');
let pki: Pki;
beforeAll(() => {
  pki = makePki();
}, 60_000);
afterAll(() => pki?.dispose());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function readAll(r: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of r as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
}

type Op = ['enqueue', number] | ['close'] | ['error'] | ['read'];

/** Run `ops` on a ByteQueue and on a real ReadableStream's controller
 * (the oracle); each read's outcome, in order, and the desiredSize after
 * each step. */
async function both(ops: Op[], hwm: number): Promise<[string[], string[]]> {
  const out: [string[], string[]] = [[], []];
  let c!: ReadableStreamDefaultController<Uint8Array>;
  const rs = new ReadableStream<Uint8Array>({ start: (x) => void (c = x) }, { highWaterMark: hwm, size: (x) => x.byteLength });
  const reader = rs.getReader();
  const q = new ByteQueue(hwm, () => {});
  const boom = new Error('boom');
  const sides = [
    { ctl: q, read: () => q.read(), log: out[0] },
    { ctl: c, read: () => reader.read(), log: out[1] },
  ];
  for (const { ctl, read, log } of sides) {
    const reads: Promise<void>[] = [];
    for (const op of ops) {
      try {
        if (op[0] === 'enqueue') ctl.enqueue(new Uint8Array(op[1]).fill(op[1] & 255));
        else if (op[0] === 'close') ctl.close();
        else if (op[0] === 'error') ctl.error(boom);
        else
          reads.push(
            read().then(
              (r) => void log.push(r.done ? 'done' : `chunk ${r.value.byteLength}`),
              (e: unknown) => void log.push(`rejected ${(e as Error).message}`),
            ),
          );
      } catch (e) {
        log.push(`${op[0]} threw ${(e as Error).name}`);
      }
      await Promise.resolve();
      log.push(`desired ${ctl.desiredSize}`);
    }
    await Promise.all(reads);
  }
  return out;
}

describe('ByteQueue gives what a ReadableStream controller gives', () => {
  it('chunks, then the end; a read waiting before a chunk; the byte count against the high-water mark', async () => {
    const [ours, oracle] = await both(
      [['read'], ['enqueue', 10], ['enqueue', 70], ['enqueue', 30], ['read'], ['read'], ['close'], ['read'], ['read'], ['read']],
      64,
    );
    expect(ours).toEqual(oracle);
  });

  it('an error drops what is queued; reads reject after it; enqueue after close throws', async () => {
    const [a, b] = await both([['enqueue', 5], ['error'], ['read'], ['enqueue', 3]], 16);
    expect(a).toEqual(b);
    const [c, d] = await both([['enqueue', 5], ['close'], ['enqueue', 3], ['read'], ['read']], 16);
    expect(c).toEqual(d);
  });

  it('several reads waiting at once get the chunks in order, then the end or the error (the driver reads from its feed and its linger at once)', async () => {
    const [a, b] = await both([['read'], ['read'], ['read'], ['enqueue', 3], ['enqueue', 4], ['close']], 16);
    expect(a).toEqual(b);
    expect(a.filter((x) => !x.startsWith('desired'))).toEqual(['chunk 3', 'chunk 4', 'done']);
    const [c, d] = await both([['read'], ['read'], ['error']], 16);
    expect(c).toEqual(d);
  });
});

describe('fromNodeSocket with its streams made late', () => {
  it('bytes (past the high-water mark) and the end that came before the readable was touched are all read, in order', async () => {
    const data = randomBytes(300_000);
    const server = createServer((s) => s.end(data));
    const port = await listen(server);
    try {
      const sock = netConnect({ host: '127.0.0.1', port });
      await new Promise<void>((r) => sock.once('connect', () => r()));
      const t = fromNodeSocket(sock, { readableHighWaterMark: 4096 });
      // The server has written everything before our readable exists: the
      // adapter queued up to its mark and paused the socket.
      await new Promise((r) => setTimeout(r, 200));
      expect(sha(await readAll(t.readable))).toBe(sha(data));
      await t.close();
    } finally {
      server.close();
    }
  });

  it('connect() over connectTcp: 1 MiB echoed by a Node tls server; the transport streams are locked by the port, memory back to baseline', async () => {
    const server = nodeTls.createServer({ key: pki.serverKeyPem, cert: pki.serverChainPem }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    const port = await listen(server);
    try {
      // One connection first: the engine's entropy pool stays allocated.
      const warm = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), servername: 'localhost', ca: pki.caPem });
      await warm.opened;
      await warm.close();
      releaseIdleContexts();
      const used0 = wasm().memoryUsage().used;
      const t = await connectTcp({ host: '127.0.0.1', port });
      const c = connect({ transport: t, servername: 'localhost', ca: pki.caPem });
      expect((await c.opened).authorized).toBe(true);
      // The driver took the port: a stream made now is locked, as the
      // reader and writer of the streams path would hold them.
      expect(t.readable.locked).toBe(true);
      expect(t.writable.locked).toBe(true);
      const data = randomBytes(1 << 20);
      const w = c.writable.getWriter();
      const got = (async () => {
        const r = c.readable.getReader();
        const parts: Uint8Array[] = [];
        let n = 0;
        while (n < data.length) {
          const x = await r.read();
          if (x.done) break;
          parts.push(x.value);
          n += x.value.byteLength;
        }
        r.releaseLock();
        return Buffer.concat(parts);
      })();
      await w.write(data);
      expect(sha(await got)).toBe(sha(data));
      await c.close();
      await c.closed;
      // The cached context is kept a moment after its last connection.
      releaseIdleContexts();
      expect(wasm().memoryUsage().used).toBe(used0);
    } finally {
      server.close();
    }
  });
});
