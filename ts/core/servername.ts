/**
 * The SNI host name check (RFC 6066 3), shared by `Connection.setServerName`
 * and `connect({ servername })`.
 *
 * RFC 6066 3: "HostName" contains the fully qualified DNS hostname of the
 * server ... The hostname is represented as a byte string using ASCII
 * encoding without a trailing dot. ... Literal IPv4 and IPv6 addresses are
 * not permitted in "HostName"."
 *
 * Node's tls only checks the type (`ERR_INVALID_ARG_TYPE` for a non-string)
 * and sends any bytes, NUL included, which a server's name lookup may cut
 * short; we refuse what is not a DNS name instead of sending it.
 */

/** One label: letters, digits, '-' and '_' (the underscore is not LDH, but
 * real host names carry it and OpenSSL and browsers accept it), 1..63
 * octets (RFC 1035 2.3.4). */
const LABEL = /^[A-Za-z0-9_-]{1,63}$/;
/** A last label of digits only makes `1.2.3.4` (and the forms `inet_aton`
 * reads as an address, `10.1`, `0x7f.1`) look like an IPv4 literal. */
const NUMERIC_TLD = /^(\d+|0x[0-9a-f]*)$/i;

/**
 * Checks `name` as an SNI host name and returns the form to send: one
 * trailing dot (the absolute form of the same name) is dropped, as RFC 6066
 * asks. Throws TypeError for a non-string, RangeError with the reason for
 * anything else that is not a DNS host name.
 */
export function checkServerName(name: unknown, who: string): string {
  if (typeof name !== 'string') {
    throw new TypeError(`${who}: the server name must be a string, got ${name === null ? 'null' : typeof name}`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control bytes are what is refused here
  if (/[\x00-\x1f\x7f]/.test(name)) throw new RangeError(`${who}: the server name contains a control character`);
  if (/[^\x00-\x7f]/.test(name)) {
    // An IDN travels as its A-label ("xn--..."): RFC 6066 3 asks for ASCII.
    throw new RangeError(`${who}: the server name is not ASCII; give its A-label (e.g. new URL('https://' + name).hostname)`);
  }
  if (name.includes(':') || name.startsWith('[')) {
    throw new RangeError(`${who}: an IP literal is not a server name (RFC 6066 3)`);
  }
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (host.length === 0) throw new RangeError(`${who}: the server name is empty`);
  // 255 octets on the wire (RFC 1035 2.3.4) are 253 characters as text.
  if (host.length > 253) throw new RangeError(`${who}: the server name is longer than 253 characters`);
  const labels = host.split('.');
  for (const l of labels) {
    if (!LABEL.test(l)) {
      throw new RangeError(
        l.length === 0
          ? `${who}: the server name has an empty label`
          : l.length > 63
            ? `${who}: a label of the server name is longer than 63 characters`
            : `${who}: the server name has a character other than a letter, digit, '-' or '_'`,
      );
    }
  }
  if (NUMERIC_TLD.test(labels[labels.length - 1] as string)) {
    throw new RangeError(`${who}: an IP literal is not a server name (RFC 6066 3)`);
  }
  return host;
}
