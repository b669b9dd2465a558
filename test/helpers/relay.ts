/**
 * A websockify-style relay for tests: `wasmtls/relay` (ts/relay/relay.ts),
 * as the CLI runs it, on 127.0.0.1 and a free port. Each WebSocket is piped
 * to one TCP connection, the target given by the URL path
 * (`ws://127.0.0.1:P/host:port`) or fixed; binary messages carry raw TCP
 * bytes both ways, each direction bounded by `highWaterMark`, at most
 * `maxConnections` at once; the target's FIN closes the WebSocket with 1000,
 * a target error with 1011 and the error message; a WebSocket close ends
 * the TCP connection. `close()` terminates everything; call it in `finally`.
 *
 * The tests' servers listen on loopback, which the relay refuses by
 * default: the allow-list names 127.0.0.1 and ::1 (any port), every page
 * origin is allowed (the runtimes' pages come from test servers on
 * 127.0.0.1), and the per-client limit is the total (every test client is
 * 127.0.0.1). test/relay-safety.test.ts tests the defaults.
 */
import { startRelay as startLibRelay, type RunningRelay, type StartRelayOptions } from '../../ts/relay/relay.js';

export type Relay = RunningRelay;

export type RelayOptions = Omit<StartRelayOptions, 'host' | 'port' | 'server'>;

export function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const max = options.maxConnections ?? 64;
  return startLibRelay({
    host: '127.0.0.1',
    port: 0,
    maxConnections: max,
    maxConnectionsPerClient: max,
    origins: ['*'],
    ...(options.target || options.open ? {} : { allow: ['127.0.0.1', '[::1]'] }),
    ...options,
  });
}
