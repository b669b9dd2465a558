/**
 * A Cloudflare Worker speaking TLS with wasmtls over a plain TCP socket.
 *
 * Workers' own `startTls()` trusts the public roots only; wasmtls verifies
 * the server against the CA you give it (a private database, an internal
 * service) and can present a client certificate. GET /path sends
 * `GET /path HTTP/1.0` to TLS_HOST:TLS_PORT and answers what was
 * negotiated and what the server sent.
 */
import { connect as tcpConnect } from 'cloudflare:sockets';
// A WebAssembly.Module: wrangler bundles `.wasm` imports as compiled
// modules (the CompiledWasm rule), and Workers refuse to compile wasm at
// run time, so `await init()` with no argument cannot work here.
import mod from 'wasmtls/wasmtls.wasm';
import { initSync } from 'wasmtls/loader';
import { connect } from 'wasmtls/tls';
import { fromWorkersSocket } from 'wasmtls/adapters/cloudflare';

// Instantiating at the top level is allowed; what needs entropy (a
// handshake) runs in the handler, as Workers require.
initSync(mod);

export interface Env {
  TLS_HOST: string;
  TLS_PORT: string;
  /** The server's name, checked against its certificate (default TLS_HOST). */
  TLS_SERVERNAME?: string;
  /** PEM of the CA that issued the server's certificate (a secret). */
  TLS_CA: string;
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const path = new URL(req.url).pathname;
    // allowHalfOpen: sending close_notify must not close the reading side.
    const socket = tcpConnect({ hostname: env.TLS_HOST, port: Number(env.TLS_PORT) }, { allowHalfOpen: true });
    const tls = connect({
      transport: fromWorkersSocket(socket),
      host: env.TLS_HOST,
      servername: env.TLS_SERVERNAME ?? env.TLS_HOST,
      ca: env.TLS_CA,
    });
    try {
      const info = await tls.opened;
      const writer = tls.writable.getWriter();
      await writer.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\n\r\n`));
      await writer.close();
      const body = await new Response(tls.readable).text();
      return Response.json({
        version: info.version,
        cipher: info.cipher,
        authorized: info.authorized,
        peer: info.peerCertificate?.subject,
        body,
      });
    } catch (e) {
      await tls.close();
      return Response.json({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }, { status: 502 });
    }
  },
};
