/**
 * The protocol errors of `ts/http/`: one class with a Node-style `code`
 * (undici's and Node's `ERR_HTTP_*` / `HPE_*` spirit), so a caller tells a
 * hostile or broken server's shape from a TLS or transport failure by
 * `err.cause.code` after fetch's `TypeError('fetch failed')`.
 * @module
 */

/** Codes an {@link HttpError} carries. */
export type HttpErrorCode =
  | 'ERR_HTTP_HEADERS_TOO_LARGE'
  | 'ERR_HTTP_TOO_MANY_HEADERS'
  | 'ERR_HTTP_INVALID_STATUS_LINE'
  | 'ERR_HTTP_INVALID_HEADER'
  | 'ERR_HTTP_OBS_FOLD'
  | 'ERR_HTTP_INVALID_LINE_ENDING'
  | 'ERR_HTTP_CONTENT_LENGTH_AND_TRANSFER_ENCODING'
  | 'ERR_HTTP_INVALID_CONTENT_LENGTH'
  | 'ERR_HTTP_UNSUPPORTED_TRANSFER_ENCODING'
  | 'ERR_HTTP_INVALID_CHUNK'
  | 'ERR_HTTP_PREMATURE_CLOSE'
  | 'ERR_HTTP_UNEXPECTED_DATA'
  | 'ERR_HTTP_UNEXPECTED_UPGRADE'
  | 'ERR_HTTP_REQUEST_BODY_LENGTH'
  | 'ERR_HTTP_INVALID_REQUEST'
  | 'ERR_HTTP_TOO_MANY_REDIRECTS'
  | 'ERR_HTTP_REDIRECT'
  | 'ERR_HTTP_CONNECTION_CLOSED';

/** A protocol-level failure: the server's bytes (or the request) broke HTTP's rules. */
export class HttpError extends Error {
  /** What was wrong, by name (see {@link HttpErrorCode}). */
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpError';
    this.code = code;
  }
}
