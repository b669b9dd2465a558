/**
 * The certificate verdict and its alert: what every layer (connect() /
 * accept(), the Node socket, the CLI, the SSL object's default) decides
 * from the engine's verification code, in one place.
 *
 * The engine's code (`Connection.verifyCode`): 0 the chain validated, < 0
 * a validation failure (crypto-src/x509 names it after OpenSSL), 1 no
 * validation ran (resumption, no anchors, or a server that did not ask).
 * @module
 */
import { cString } from './bytes.js';
import { ALERT } from './errors.js';
import { wasm } from './loader.js';

/**
 * The alert that refuses a chain the engine judged `code` (0: accept).
 * A failure is refused with the validator's own alert (RFC 8446 6.2:
 * unknown_ca for a missing anchor, certificate_expired, bad_certificate
 * for a wrong name, ...) unless `reject` is false (the caller takes the
 * verdict after the handshake, as Node's `rejectUnauthorized: false`).
 * With `unvalidated: 'refuse'` a chain no validation looked at is refused
 * with certificate_unknown rather than accepted.
 */
export function verdictAlert(code: number, reject = true, unvalidated: 'accept' | 'refuse' = 'accept'): number {
  if (code === 0 || !reject) return 0;
  if (code < 0) return wasm().exports.wt_x_x509_err_alert(code) >>> 0;
  return unvalidated === 'accept' ? 0 : ALERT.certificate_unknown;
}

/** The verdict's name as Node and OpenSSL give it (`CERT_HAS_EXPIRED`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`, ...); undefined unless `code` < 0. */
export function verifyName(code: number): string | undefined {
  if (code >= 0) return undefined;
  const w = wasm();
  return cString(w.u8(), w.exports.wt_x_x509_err_name(code));
}

/** OpenSSL's wording of the verdict (`unable to get local issuer
 * certificate`); undefined unless `code` < 0. */
export function verifyReason(code: number): string | undefined {
  if (code >= 0) return undefined;
  const w = wasm();
  return cString(w.u8(), w.exports.wt_x_x509_err_reason(code));
}

/**
 * The verdict's name for a chain a TLS peer sent, as Node (and OpenSSL's
 * s_client) report it. OpenSSL's verification in TLS goes on past the
 * first error (Node's callback accepts each and judges at the end), and
 * the last one names the failure: a leaf whose issuer is nowhere, sent
 * alone, fails "unable to get local issuer certificate" (20) while the
 * chain is built, then "unable to verify the first certificate"
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE, 21) when its signature is checked,
 * which Node reports. `openssl verify` stops at the first, as
 * {@link verifyName} does.
 */
export function peerVerifyName(code: number, chainLength: number): string | undefined {
  const name = verifyName(code);
  return name === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' && chainLength === 1 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : name;
}

/** OpenSSL's wording of {@link peerVerifyName}'s verdict. */
export function peerVerifyReason(code: number, chainLength: number): string | undefined {
  return peerVerifyName(code, chainLength) === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
    ? 'unable to verify the first certificate'
    : verifyReason(code);
}

/** What a finished handshake says about the peer (Node's `authorized` and
 * `authorizationError`). */
export interface Authorization {
  authorized: boolean;
  /** Why not, by Node's / OpenSSL's name; undefined when authorized. */
  authorizationError: string | undefined;
}

/**
 * Whether the peer of a finished handshake is authorized.
 * - `code` the engine's verdict;
 * - `isServer` our role; `sessionReused` whether the handshake resumed;
 * - `chainLength` certificates the peer sent;
 * - `offeredAuthorized` (client) the verdict of the handshake that made
 *   the session it offered (carried in the session, see session.ts).
 */
export function authorization(
  code: number,
  isServer: boolean,
  sessionReused: boolean,
  chainLength: number,
  offeredAuthorized: boolean,
): Authorization {
  if (code === 0) return { authorized: true, authorizationError: undefined };
  if (code < 0) return { authorized: false, authorizationError: peerVerifyName(code, chainLength) };
  // No validation ran: resumption (the original handshake validated; no
  // chain is exchanged, RFC 8446 2.2), no anchors, or a server that did
  // not ask. Client: a resumed session is as authorized as the handshake
  // that made it. Server: the engine reports 0 when the ticket says the
  // client's chain was validated, so 1 here means it was not.
  if (!isServer && sessionReused && offeredAuthorized) return { authorized: true, authorizationError: undefined };
  return {
    authorized: false,
    authorizationError: chainLength ? 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' : isServer ? undefined : 'NO_PEER_CERTIFICATE',
  };
}

/**
 * Why `host` does not match the certificate, in the words of Node's
 * `tls.checkServerIdentity` (lib/tls.js), so an ERR_TLS_CERT_ALTNAME_INVALID
 * reads the same from every layer as from Node: `reason` is
 * `Host: example.com. is not in the cert's altnames: DNS:localhost` (the
 * subjectAltName as Node prints it), `IP: 1.2.3.4 is not in the cert's
 * list: 127.0.0.1` for an address, `Host: x. is not cert's CN: y` when
 * the certificate has no DNS names; `message` is Node's
 * ERR_TLS_CERT_ALTNAME_INVALID text around it.
 */
export function altnameMismatch(
  host: string,
  cert: { subjectaltname?: string; subject?: { CN?: string | string[] } } | undefined,
): { message: string; reason: string } {
  const alt = cert?.subjectaltname;
  const names = alt ? alt.split(', ') : [];
  const dns = names.filter((n) => n.startsWith('DNS:'));
  const ips = names.filter((n) => n.startsWith('IP Address:')).map((n) => n.slice(11));
  // Node removes a trailing dot "for error messages" (unfqdn).
  const h = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const cn = cert?.subject?.CN;
  let reason: string;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(':')) reason = `IP: ${h} is not in the cert's list: ${ips.join(', ')}`;
  else if (dns.length > 0) reason = `Host: ${h}. is not in the cert's altnames: ${alt}`;
  else if (cn) reason = `Host: ${h}. is not cert's CN: ${String(cn)}`;
  else reason = 'Cert does not contain a DNS name';
  return { reason, message: `Hostname/IP does not match certificate's altnames: ${reason}` };
}
