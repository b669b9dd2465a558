/**
 * Unknown option names are refused at run time with the closest known name
 * (issue #13), as the types refuse them at compile time: in connect(),
 * accept() and the SSL object's TLSContext. A misspelt security option
 * (rejectUnauthorised, CA) must not be silently ignored.
 */
import { describe, expect, it } from 'vitest';
import { accept, connect } from '../ts/api/tls.js';
import { fromStreams } from '../ts/adapters/streams.js';
import { TLSContext } from '../ts/core/connection.js';
import { closestName } from '../ts/core/options.js';
import { useBuild } from './helpers/env.js';

useBuild('simd');
const transport = () => {
  const t = new TransformStream<Uint8Array, Uint8Array>();
  return fromStreams({ readable: t.readable, writable: new WritableStream() });
};

describe('option names', () => {
  it('connect(): a misspelt option rejects opened with the closest name', async () => {
    await expect(
      connect({ transport: transport(), servername: 'x', rejectUnauthorized: false, alpnProtocols: ['h2'] } as never).opened,
    ).rejects.toThrow(/connect: unknown option `alpnProtocols` \(did you mean `ALPNProtocols`\?\)/);
    await expect(connect({ transport: transport(), servername: 'x', ca: 'x', rejectUnauthorised: false } as never).opened).rejects.toThrow(
      /unknown option `rejectUnauthorised` \(did you mean `rejectUnauthorized`\?\)/,
    );
    await expect(connect({ transport: transport(), servername: 'x', CA: 'x' } as never).opened).rejects.toThrow(
      /unknown option `CA` \(did you mean `ca`\?\)/,
    );
  });
  it('accept(): the same', async () => {
    await expect(accept({ transport: transport(), cert: 'x', key: 'y', requestCerts: true } as never).opened).rejects.toThrow(
      /accept: unknown option `requestCerts` \(did you mean `requestCert`\?\)/,
    );
  });
  it('TLSContext: the same, and a name far from all is named alone', () => {
    expect(() => new TLSContext({ ALPN: ['h2'] } as never)).toThrow(/TLSContext: unknown option `ALPN` \(did you mean `alpn`\?\)/);
    expect(() => new TLSContext({ zzzzzzzzzz: 1 } as never)).toThrow(/TLSContext: unknown option `zzzzzzzzzz`$/);
  });
  it('closestName', () => {
    expect(closestName('servrname', ['servername', 'host'])).toBe('servername');
    expect(closestName('completely-else', ['servername', 'host'])).toBeUndefined();
  });
});
