/**
 * How a connection's input ended, classified once for every layer.
 *
 * RFC 8446 6.1: "Each party MUST send a "close_notify" alert before
 * closing its write side of the connection"; a transport that ends
 * without one may have been cut by an attacker (truncation). The engine
 * reports that as SSL_ERROR_SYSCALL with the sticky code UNEXPECTED_EOF,
 * during the handshake or after it, for a cut inside a record or between
 * records alike; every layer hands that code on unchanged, and decides by
 * the code (never by the text of a message).
 * @module
 */
import { TLS_ERR, TLSError } from './errors.js';

/** What a failed read (or handshake step) means, from `getError(ret)`. */
export type InputEnd = 'more' | 'close_notify' | 'truncated' | 'error';

/** Classify `getError`'s answer: more input needed, the peer's
 * close_notify, truncation, or another failure. */
export function classifyEnd(e: string): InputEnd {
  if (e === 'WANT_READ' || e === 'WANT_WRITE' || e === 'WANT_RETRY_VERIFY' || e === 'WANT_PRIVATE_KEY_OPERATION') return 'more';
  if (e === 'ZERO_RETURN') return 'close_notify';
  if (e === 'SYSCALL') return 'truncated';
  return 'error';
}

/** Whether `e` is the engine's truncation error (the transport ended
 * without close_notify). */
export function isTruncation(e: unknown): e is TLSError {
  return e instanceof TLSError && e.engineCode === TLS_ERR.UNEXPECTED_EOF;
}
