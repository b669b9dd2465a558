/**
 * A websockify-style relay for tests: the CLI's (`wasmtls relay`,
 * ts/cli/relay.ts) on 127.0.0.1 and a free port. Each WebSocket is piped to
 * one TCP connection, the target given by the URL path
 * (`ws://127.0.0.1:P/host:port`) or fixed; binary messages carry raw TCP
 * bytes both ways, each direction bounded by `highWaterMark`, at most
 * `maxConnections` at once; the target's FIN closes the WebSocket with 1000,
 * a target error with 1011 and the error message; a WebSocket close ends
 * the TCP connection. `close()` terminates everything; call it in `finally`.
 */
import { startRelay as startCliRelay, type RunningRelay } from '../../ts/cli/relay.js';

export type Relay = RunningRelay;

export interface RelayOptions {
  target?: { host: string; port: number };
  highWaterMark?: number;
  maxConnections?: number;
}

export function startRelay(options: RelayOptions = {}): Promise<Relay> {
  return startCliRelay({ host: '127.0.0.1', port: 0, maxConnections: 64, ...options });
}
