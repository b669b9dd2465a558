/**
 * Memory per idle connection (issue #15): 1,000 and 10,000 established,
 * idle TLS 1.3 connection pairs over loopback TCP, wasmtls (connect() and
 * accept()) beside Node `tls` (tls.connect / tls.createServer) in the same
 * run. Clients live in this process, servers in a child process (one
 * process holding both ends of 10,000 TCP pairs would pass the machine's
 * 20,000 descriptor limit); each side reports its own figures:
 *  - wasm `used`: the module's allocator's bytes in use (memoryUsage()),
 *    per connection, client and server side;
 *  - wasm memory: memory.buffer.byteLength (it never shrinks);
 *  - RSS per pair: the growth of both processes' resident set size over
 *    their baselines, divided by the pairs.
 * Each connection has finished its handshake and echoed one byte, then
 * sits idle while it is measured (after a garbage collection on both
 * sides).
 *
 * Then "connections held before refusal": one module under its default
 * maximum (4 GiB), both ends of in-memory pairs in it, pairs opened until
 * the first one is refused (a TLSError ERR_SSL_MALLOC_FAILURE).
 * BENCH_REFUSAL=0 skips it; BENCH_REFUSAL_MIB=n refuses at n MiB instead
 * of the 4 GiB maximum (which takes hours to fill at ~2.4 KiB per idle
 * connection).
 *
 * `node bench/run.mjs conns` (BENCH_CONNS=1000,10000 by default)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer as netCreateServer, type AddressInfo, type Socket } from 'node:net';
import * as nodeTls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connectTcp, fromNodeSocket } from '../ts/adapters/node-socket.js';
import { fromStreams } from '../ts/adapters/streams.js';
import { accept, connect, type TLSSocket } from '../ts/api/tls.js';
import { clientContext, serverContext } from '../ts/core/configure.js';
import { TLS_ERR, TLSError } from '../ts/core/errors.js';
import { wasm } from '../ts/core/loader.js';
import { caChain, type CaChain } from './tlsfixture.js';
import { loadShared, table } from './util.js';

type Impl = 'wasmtls' | 'node';
interface Stats {
  rss: number;
  used: number;
  memory: number;
  conns: number;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function collect(): void {
  for (let i = 0; i < 3; i++) gc();
}

function wasmStats(conns: number): Stats {
  const m = wasm().memoryUsage();
  return { rss: process.memoryUsage().rss, used: m.used, memory: m.memory, conns };
}

// ---- the server process ----------------------------------------------------

async function serve(impl: Impl, pki: CaChain): Promise<void> {
  loadShared('simd');
  const held = new Set<unknown>();
  let listen: (port: number) => void;
  if (impl === 'node') {
    const srv = nodeTls.createServer({ key: pki.keyPem, cert: pki.chainPem, minVersion: 'TLSv1.3' }, (s) => {
      held.add(s);
      s.on('error', () => {});
      s.on('close', () => held.delete(s));
      s.pipe(s);
    });
    listen = (p) => srv.listen(p, '127.0.0.1');
    srv.once('listening', () => process.send?.({ port: (srv.address() as AddressInfo).port }));
  } else {
    const ctx = serverContext({ cert: pki.chainPem, key: pki.keyPem });
    const srv = netCreateServer({ allowHalfOpen: true, noDelay: true }, (sock: Socket) => {
      const t = accept({ transport: fromNodeSocket(sock), context: ctx, cert: pki.chainPem, key: pki.keyPem });
      held.add(t);
      t.readable
        .pipeTo(t.writable)
        .catch(() => {})
        .finally(() => held.delete(t));
      t.opened.catch(() => held.delete(t));
    });
    listen = (p) => srv.listen(p, '127.0.0.1');
    srv.once('listening', () => process.send?.({ port: (srv.address() as AddressInfo).port }));
  }
  process.on('message', (m: string) => {
    if (m === 'stats') {
      collect();
      const s = impl === 'wasmtls' ? wasmStats(held.size) : { rss: process.memoryUsage().rss, used: 0, memory: 0, conns: held.size };
      process.send?.(s);
    } else if (m === 'exit') process.exit(0);
  });
  listen(0);
}

// ---- the client process ----------------------------------------------------

function ask(child: ChildProcess, what: string): Promise<Stats> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Stats));
    child.send(what);
  });
}

interface Client {
  close(): void;
}

async function nodeClient(port: number, ca: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = nodeTls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, minVersion: 'TLSv1.3' }, () => c.write('x'));
    c.once('data', () => resolve({ close: () => c.destroy() }));
    c.once('error', reject);
  });
}

async function wasmtlsClient(port: number, ctx: ReturnType<typeof clientContext>): Promise<Client> {
  const t = connect({ transport: await connectTcp({ host: '127.0.0.1', port }), context: ctx, servername: 'localhost' });
  await t.opened;
  const w = t.writable.getWriter();
  const r = t.readable.getReader();
  await w.write(new Uint8Array([120]));
  await r.read();
  w.releaseLock();
  r.releaseLock();
  return { close: () => void t.close().catch(() => {}) };
}

async function measure(impl: Impl, n: number, pki: CaChain): Promise<(string | number)[]> {
  const self = fileURLToPath(import.meta.url);
  const child = fork(self, ['server', impl, JSON.stringify(pki)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((r) => child.once('message', (m) => r(m as { port: number })));
  const ctx = impl === 'wasmtls' ? clientContext({ ca: pki.caPem }) : undefined;
  collect();
  const c0 = impl === 'wasmtls' ? wasmStats(0) : { rss: process.memoryUsage().rss, used: 0, memory: 0, conns: 0 };
  const s0 = await ask(child, 'stats');
  const clients: Client[] = [];
  let failed = 0;
  let firstError = '';
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100) {
    if (i > 0 && i % 1000 === 0) {
      process.stderr.write(`  ${impl}: ${i} of ${n} pairs, ${(i / ((performance.now() - t0) / 1000)).toFixed(0)} pairs/s\n`);
    }
    const batch = Array.from({ length: Math.min(100, n - i) }, () => (ctx ? wasmtlsClient(port, ctx) : nodeClient(port, pki.caPem)));
    for (const r of await Promise.allSettled(batch)) {
      if (r.status === 'fulfilled') clients.push(r.value);
      else {
        failed++;
        firstError ||= r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
    }
  }
  const secs = (performance.now() - t0) / 1000;
  // Idle means past the release delay (10 ms): the last batch still held
  // its record buffers when measured at once (~13 MiB for 100 clients).
  await new Promise((r) => setTimeout(r, 100));
  collect();
  const c1 = impl === 'wasmtls' ? wasmStats(clients.length) : { rss: process.memoryUsage().rss, used: 0, memory: 0, conns: clients.length };
  const s1 = await ask(child, 'stats');
  const k = clients.length;
  for (const c of clients) c.close();
  child.send('exit');
  await new Promise((r) => child.once('exit', r));
  ctx?.dispose();
  if (failed) console.log(`${impl} ${n}: ${failed} connections failed (first: ${firstError})`);
  const kib = (x: number) => x / 1024 / Math.max(k, 1);
  const mib = (x: number) => x / 1048576;
  return [
    impl,
    k,
    impl === 'wasmtls' ? kib(c1.used - c0.used) : '-',
    impl === 'wasmtls' ? kib(s1.used - s0.used) : '-',
    impl === 'wasmtls' ? `${mib(c1.memory).toFixed(0)} / ${mib(s1.memory).toFixed(0)}` : '-',
    kib(c1.rss - c0.rss + (s1.rss - s0.rss)),
    `${mib(c1.rss).toFixed(0)} / ${mib(s1.rss).toFixed(0)}`,
    k / secs,
  ];
}

/** Pairs in one module (default maximum) until the first refusal. */
async function heldBeforeRefusal(pki: CaChain): Promise<void> {
  // BENCH_REFUSAL_MIB=n: refuse at n MiB instead of the 4 GiB maximum (at
  // ~2.4 KiB per idle connection, 4 GiB is hundreds of thousands of pairs:
  // hours to open; a lower ceiling gives the same figure per MiB in
  // minutes). Set on the loaded module through the export
  // LoadOptions.maxMemory uses; it must be at least the memory's size now.
  const mib = Number(process.env.BENCH_REFUSAL_MIB ?? 0);
  if (mib > 0 && wasm().exports.wt_x_set_memory_limit(mib * 1048576) !== 0) {
    console.log(`\nBENCH_REFUSAL_MIB=${mib} is below the memory's size now (${wasm().memoryUsage().memory / 1048576} MiB): not measured`);
    return;
  }
  const sctx = serverContext({ cert: pki.chainPem, key: pki.keyPem });
  const cctx = clientContext({ ca: pki.caPem });
  const pairs: TLSSocket[][] = [];
  let refusal: unknown;
  const t0 = performance.now();
  while (refusal === undefined && pairs.length < 100_000) {
    const ab = new TransformStream<Uint8Array, Uint8Array>();
    const ba = new TransformStream<Uint8Array, Uint8Array>();
    const s = accept({
      transport: fromStreams({ readable: ab.readable, writable: ba.writable }),
      context: sctx,
      cert: pki.chainPem,
      key: pki.keyPem,
    });
    const c = connect({ transport: fromStreams({ readable: ba.readable, writable: ab.writable }), context: cctx, servername: 'localhost' });
    const r = await Promise.allSettled([c.opened, s.opened]);
    // One side runs out; the other may see only the end of its transport:
    // report the out-of-memory side's error when there is one.
    const failed = r.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    const bad = failed.find((x) => x.reason instanceof TLSError && x.reason.engineCode === TLS_ERR.NO_MEMORY) ?? failed[0];
    if (bad) refusal = bad.reason;
    pairs.push([c, s]);
    // In-memory pairs open on promise jobs alone, so without a pause the
    // idle release (a 10 ms timer) would never run and every pair would
    // keep its record buffers; a server doing I/O gets to its timers.
    if (pairs.length % 50 === 0) await new Promise((r) => setTimeout(r, 15));
  }
  const m = wasm().memoryUsage();
  const oom = refusal instanceof TLSError && refusal.engineCode === TLS_ERR.NO_MEMORY;
  console.log(
    `\nconnections held before refusal (one module, maximum ${m.limit / 1048576} MiB, both ends of each pair in it): ` +
      `${2 * (pairs.length - 1)} connections (${pairs.length - 1} pairs) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
      `then ${oom ? `ERR_SSL_MALLOC_FAILURE: ${(refusal as Error).message}` : `a different failure: ${String(refusal)}`}`,
  );
  console.log(
    `wasm used ${(m.used / 1048576).toFixed(0)} MiB, memory ${(m.memory / 1048576).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
  );
  await Promise.allSettled(pairs.flat().map((t) => t.close()));
  await Promise.allSettled(pairs.flat().map((t) => t.closed));
  sctx.dispose();
  cctx.dispose();
  collect();
  console.log(`after closing them all: wasm used ${(wasm().memoryUsage().used / 1048576).toFixed(1)} MiB`);
}

async function main(): Promise<void> {
  loadShared('simd');
  const pki = caChain();
  const counts = (process.env.BENCH_CONNS ?? '1000,10000').split(',').map(Number);
  console.log(`\nidle established TLS 1.3 pairs over loopback; clients here, servers in a child process`);
  const rows: (string | number)[][] = [];
  for (const n of counts) {
    for (const impl of ['wasmtls', 'node'] as Impl[]) {
      rows.push(await measure(impl, n, pki));
      // Each row as soon as it is measured (the 10,000 runs take minutes).
      console.log(rows[rows.length - 1].join(' | '));
    }
  }
  console.log();
  table(
    [
      'impl',
      'pairs',
      'wasm used KiB/conn (client)',
      '(server)',
      'wasm memory MiB c / s',
      'RSS KiB/pair',
      'RSS MiB c / s',
      'pairs/s opened',
    ],
    rows,
  );
  if (process.env.BENCH_REFUSAL !== '0') await heldBeforeRefusal(pki);
}

if (process.argv[2] === 'server') await serve(process.argv[3] as Impl, JSON.parse(process.argv[4]) as CaChain);
else await main();
