/**
 * Transport checks that run inside another runtime (Deno, workerd): no
 * Node APIs, results as plain JSON. The Node side (adapters.runtimes.test.ts)
 * starts the TCP servers, passes their ports, and checks what the servers
 * saw.
 */
import type { Transport } from '../../ts/adapters/types.js';

export interface Ports {
  echo: number;
  count: number;
  hello: number;
  sink: number;
  reset: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

const MiB = 1 << 20;

function random(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function readAll(r: ReadableStreamDefaultReader<Uint8Array>): Promise<{ bytes: Uint8Array; eof: boolean }> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { value, done } = await r.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
  }
  const bytes = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    bytes.set(c, off);
    off += c.byteLength;
  }
  return { bytes, eof: true };
}

const sleep = (ms: number): Promise<'timeout'> => new Promise((r) => setTimeout(() => r('timeout'), ms));

/** Run every check through transports made by `open(port)`. */
export async function runChecks(open: (port: number) => Promise<Transport>, ports: Ports): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = async (name: string, f: () => Promise<string | undefined>): Promise<void> => {
    try {
      const detail = await f();
      results.push({ name, ok: true, detail });
    } catch (e) {
      results.push({ name, ok: false, detail: String(e instanceof Error ? (e.stack ?? e.message) : e) });
    }
  };

  for (const size of [0, 1, 16384, 8 * MiB]) {
    await check(`round trip ${size}`, async () => {
      const data = random(size);
      const t = await open(ports.echo);
      const w = t.writable.getWriter();
      const reading = readAll(t.readable.getReader());
      await w.write(data);
      await w.close(); // FIN: the echo server ends after echoing everything
      const got = await reading;
      await t.close();
      if (!equal(got.bytes, data)) throw new Error(`got ${got.bytes.byteLength} bytes, different from the ${size} sent`);
      return undefined;
    });
  }

  await check('EOF client to server, reading goes on', async () => {
    const t = await open(ports.count);
    const w = t.writable.getWriter();
    await w.write(random(1000));
    await w.close();
    const got = new TextDecoder().decode((await readAll(t.readable.getReader())).bytes);
    await t.close();
    if (got !== 'count 1000') throw new Error(`server replied ${JSON.stringify(got)}`);
    return undefined;
  });

  await check('EOF server to client, writing goes on', async () => {
    const t = await open(ports.hello);
    const got = new TextDecoder().decode((await readAll(t.readable.getReader())).bytes);
    if (got !== 'hello') throw new Error(`read ${JSON.stringify(got)}`);
    const w = t.writable.getWriter();
    await w.write(random(100)); // the Node side checks the server got 100 bytes
    await w.close();
    await t.close();
    return undefined;
  });

  await check('backpressure: writer stalls on a destination that does not read', async () => {
    const t = await open(ports.sink);
    const w = t.writable.getWriter();
    const chunk = random(65536);
    let accepted = 0;
    let pending: Promise<void> | undefined;
    while (accepted < 512 * MiB) {
      const p = w.write(chunk);
      if ((await Promise.race([p.then(() => 'ok' as const), sleep(300)])) === 'timeout') {
        pending = p;
        break;
      }
      accepted += chunk.byteLength;
    }
    if (!pending) throw new Error('512 MiB accepted: no backpressure');
    pending.catch(() => {});
    await t.close();
    const settled = await Promise.race([
      pending.then(
        () => 'resolved',
        () => 'rejected',
      ),
      sleep(5000),
    ]);
    if (settled !== 'rejected') throw new Error(`the pending write ${settled} after close()`);
    return `stalled after ${(accepted / MiB).toFixed(1)} MiB`;
  });

  await check('a reset errors the readable', async () => {
    const t = await open(ports.reset);
    const w = t.writable.getWriter();
    await w.write(random(10));
    try {
      await readAll(t.readable.getReader());
    } catch (e) {
      await t.close();
      return String(e);
    }
    throw new Error('the readable ended without an error');
  });

  await check('close() releases the transport', async () => {
    const t = await open(ports.echo);
    const w = t.writable.getWriter();
    const r = t.readable.getReader();
    await w.write(random(100));
    let n = 0;
    while (n < 100) {
      const { value, done } = await r.read();
      if (done) throw new Error('early end');
      n += value.byteLength;
    }
    await t.close();
    if (!(await r.read()).done) throw new Error('readable still open after close()');
    const late = await w.write(random(1)).then(
      () => 'resolved',
      () => 'rejected',
    );
    if (late !== 'rejected') throw new Error('a write after close() resolved');
    return undefined;
  });

  return results;
}
