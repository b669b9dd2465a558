/**
 * Many short requests through a WebSocket tunnel, each written and then
 * the writer closed at once, the response read to its end: the way a
 * browser app does a one-shot request. The server (a Node tls server in
 * the test) answers and ends with close_notify and FIN; the relay then
 * closes the WebSocket with 1000. That close may come while our own
 * close_notify is still going out: a normal end, which must not error the
 * readable (issue #13, "closed by the peer (code 1000)" in 4 of 23).
 * Bundled by ws-close-race.test.ts with its parameters baked in.
 */
import { fromWebSocket, type WebSocketLike } from '../../ts/adapters/websocket.js';
import { connect } from '../../ts/api/tls.js';
import { init, type WasmSource } from '../../ts/core/loader.js';

export interface CloseRaceParams {
  wsUrl: string;
  target: string;
  caPem: string;
  servername: string;
  connections: number;
  /** What the server answers (its length is checked; the test checks the bytes). */
  expectedLength: number;
}

export interface CloseRaceResult {
  /** Per connection: the response's length, or the error's text. */
  outcomes: { length?: number; error?: string; closed?: string }[];
}

async function one(p: CloseRaceParams, i: number): Promise<{ length?: number; error?: string; closed?: string }> {
  const tls = connect({
    transport: fromWebSocket(new WebSocket(`${p.wsUrl}/${p.target}`) as unknown as WebSocketLike),
    servername: p.servername,
    ca: p.caPem,
  });
  try {
    await tls.opened;
    const w = tls.writable.getWriter();
    await w.write(new TextEncoder().encode(`GET /${i} HTTP/1.1\r\nHost: ${p.servername}\r\nConnection: close\r\n\r\n`));
    // Close at once, without waiting for the answer: the close_notify goes
    // out while the response, the server's close_notify and the tunnel's
    // close may already be on their way.
    const closing = w.close();
    let length = 0;
    const r = tls.readable.getReader();
    for (let x = await r.read(); !x.done; x = await r.read()) length += x.value.byteLength;
    await closing;
    const closed = await tls.closed.then(
      () => 'resolved',
      (e: unknown) => `rejected: ${String(e)}`,
    );
    return { length, closed };
  } catch (e) {
    await tls.close();
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

export async function runCloseRace(source: WasmSource, p: CloseRaceParams): Promise<CloseRaceResult> {
  await init(source);
  const outcomes = await Promise.all(Array.from({ length: p.connections }, (_, i) => one(p, i)));
  return { outcomes };
}
