/**
 * wasmtls/websocket in a runtime other than Node (the Chromium page and a
 * module Web Worker, with their own WebSocket, EventTarget, MessageEvent,
 * CloseEvent, Blob and crypto.subtle): a `wss:` echo through the wisp-js
 * server, and the server's close code. Bundled by the test, which checks
 * the report against what the server received.
 */
import { init, type WasmSource } from '../../ts/core/loader.js';
import { wispWebSocket } from '../../ts/http/websocket.js';

export interface WsScenarioParams {
  wispUrl: string;
  /** wss:// URL of the ws echo server; `/bye` on it closes with 4001 'bye'. */
  echoUrl: string;
  caPem: string;
  /** Bytes of the binary message (filled with `i & 0xff`). */
  size: number;
}

export interface WsScenarioReport {
  protocol?: string;
  text?: string;
  binaryLength?: number;
  binarySha256?: string;
  blobSha256?: string;
  defaultBinaryType?: string;
  ourClose?: { code: number; reason: string; wasClean: boolean; isCloseEvent: boolean };
  serverClose?: { code: number; reason: string; wasClean: boolean };
  events?: string[];
  error?: string;
}

const hex = (b: ArrayBuffer): string => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

export async function runWebSocket(source: WasmSource, p: WsScenarioParams): Promise<WsScenarioReport> {
  const r: WsScenarioReport = { events: [] };
  try {
    await init(source);
    const WS = wispWebSocket(p.wispUrl, { ca: p.caPem, servername: 'localhost' });
    const ws = new WS(p.echoUrl, ['chat', 'superchat']);
    r.defaultBinaryType = ws.binaryType;
    const messages: unknown[] = [];
    let wake: (() => void) | undefined;
    ws.onmessage = (ev) => {
      messages.push(ev.data);
      wake?.();
    };
    const next = async (): Promise<unknown> => {
      while (messages.length === 0) await new Promise<void>((res) => (wake = res));
      return messages.shift();
    };
    ws.addEventListener('error', () => r.events?.push('error'));
    const closed = new Promise<CloseEvent>((res) => ws.addEventListener('close', (ev) => res(ev as CloseEvent)));
    await new Promise<void>((res, rej) => {
      ws.onopen = () => res();
      ws.onclose = () => rej(ws.error ?? new Error('closed before open'));
    });
    ws.onclose = null;
    r.protocol = ws.protocol;
    ws.send('héllo ✓');
    r.text = String(await next());
    const bin = new Uint8Array(p.size).map((_, i) => i & 0xff);
    ws.send(bin);
    const blob = (await next()) as Blob; // binaryType 'blob' by default
    r.blobSha256 = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
    ws.binaryType = 'arraybuffer';
    ws.send(new Blob([bin]));
    const ab = (await next()) as ArrayBuffer;
    r.binaryLength = ab.byteLength;
    r.binarySha256 = hex(await crypto.subtle.digest('SHA-256', ab));
    ws.close(4000, 'done');
    const ev = await closed;
    r.ourClose = {
      code: ev.code,
      reason: ev.reason,
      wasClean: ev.wasClean,
      isCloseEvent: typeof CloseEvent === 'function' && ev instanceof CloseEvent,
    };

    const bye = new WS(`${p.echoUrl}bye`);
    const evb = await new Promise<CloseEvent>((res) => bye.addEventListener('close', (e) => res(e as CloseEvent)));
    r.serverClose = { code: evb.code, reason: evb.reason, wasClean: evb.wasClean };
    await WS.close();
  } catch (e) {
    r.error = String((e as Error)?.stack ?? e);
  }
  return r;
}
