/**
 * Two transports joined in memory (`fromStreams` over two TransformStreams):
 * what one side writes the other reads, with no socket under them.
 */
import { fromStreams } from '../../ts/adapters/streams.js';
import type { Transport } from '../../ts/adapters/types.js';

export function memoryPair(): { a: Transport; b: Transport } {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return {
    a: fromStreams({ readable: ba.readable, writable: ab.writable }),
    b: fromStreams({ readable: ab.readable, writable: ba.writable }),
  };
}
