/**
 * The one session format handed to users (connect()'s `getSession()` /
 * `onSession`, the Node socket's `getSession()` / `'session'`): the
 * engine's blob (PSK, ticket, suite, lifetimes) wrapped with what the
 * handshake that made it knew and a resumed handshake cannot learn again
 * (RFC 8446 2.2: no certificates are exchanged):
 *
 *   0x01 || flags (bit 0: the peer was authorized) || name length u8 ||
 *   servername || blob
 *
 * A session is offered only for the same servername (RFC 8446 4.6.1:
 * "Clients MUST only resume if the new SNI value is valid for the server
 * certificate presented in the original session"), and by a caller that
 * refuses unauthorized servers only when that handshake was authorized:
 * otherwise a session from a `rejectUnauthorized: false` connection would
 * resume into an "authorized" one without any certificate check (OpenSSL
 * keeps the verify result in SSL_SESSION for the same reason).
 * @module
 */

const SESSION_V1 = 0x01;
const enc = /* @__PURE__ */ new TextEncoder();
const dec = /* @__PURE__ */ new TextDecoder();

/** A session taken apart. */
export interface SessionParts {
  /** The engine's blob (for `Connection.setSession`). */
  blob: Uint8Array;
  /** Whether the handshake that made it authorized the server. */
  authorized: boolean;
  /** The servername it was made for ('' for none). */
  name: string;
}

/** Wrap the engine's blob. */
export function wrapSession(blob: Uint8Array, authorized: boolean, name: string | undefined): Uint8Array {
  const n = enc.encode(name ?? '');
  if (n.length > 255) throw new RangeError('session: servername longer than 255 bytes');
  const out = new Uint8Array(3 + n.length + blob.length);
  out[0] = SESSION_V1;
  out[1] = authorized ? 1 : 0;
  out[2] = n.length;
  out.set(n, 3);
  out.set(blob, 3 + n.length);
  return out;
}

/** Take a session apart; a TypeError for anything wrapSession did not make. */
export function unwrapSession(s: Uint8Array, who = 'connect'): SessionParts {
  if (!(s instanceof Uint8Array) || s.length < 4 || s[0] !== SESSION_V1 || s[1] > 1 || 3 + s[2] >= s.length) {
    throw new TypeError(`${who}: \`session\` is not one that getSession() / onSession gave`);
  }
  return { authorized: s[1] === 1, name: dec.decode(s.subarray(3, 3 + s[2])), blob: s.subarray(3 + s[2]) };
}

/** The same session with its verdict replaced (a layer that takes the
 * verdict itself after the handshake, as the Node socket does with
 * `checkServerIdentity`). */
export function withVerdict(s: Uint8Array, authorized: boolean): Uint8Array {
  unwrapSession(s);
  const out = s.slice();
  out[1] = authorized ? 1 : 0;
  return out;
}

/** Whether a client for `name` may offer session `p`: the same name, and
 * an authorized origin unless the caller accepts unauthorized servers. */
export function mayOffer(p: SessionParts, name: string | undefined, reject: boolean): boolean {
  return p.name === (name ?? '') && (p.authorized || !reject);
}
