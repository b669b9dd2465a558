// Types for what the Workers runtime provides, enough for this example.
// A full project would use @cloudflare/workers-types or `wrangler types`.
declare module 'cloudflare:sockets' {
  export interface SocketAddress {
    hostname: string;
    port: number;
  }
  export interface SocketOptions {
    secureTransport?: 'off' | 'on' | 'starttls';
    allowHalfOpen?: boolean;
  }
  export interface Socket {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    readonly opened: Promise<unknown>;
    readonly closed: Promise<void>;
    close(): Promise<void>;
  }
  export function connect(address: SocketAddress | string, options?: SocketOptions): Socket;
}

// wrangler's CompiledWasm rule: a .wasm import is a compiled module.
declare module '*.wasm' {
  const mod: WebAssembly.Module;
  export default mod;
}
