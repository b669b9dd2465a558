/**
 * SMTP up to STARTTLS (RFC 3207) on a pair of WHATWG streams, the code the
 * README shows for Node (`Duplex.toWeb(socket)`), Deno (`conn`) and
 * Workers (`connect()`'s socket): greeting, EHLO, STARTTLS, the server's
 * 220, then both locks released for the adapter. Runtime-neutral.
 */
export async function smtpStartTls(
  s: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  clientName: string,
): Promise<void> {
  const r = s.readable.getReader();
  const w = s.writable.getWriter();
  const dec = new TextDecoder();
  let buf = '';
  // One reply: its last line is the code and a space (RFC 5321 4.2.1:
  // "250-" lines continue, "250 " ends it).
  const reply = async (): Promise<string> => {
    for (;;) {
      const last = /^\d{3}(?: [^\n]*)?\n/m.exec(buf);
      if (last) {
        const end = last.index + last[0].length;
        const text = buf.slice(0, end);
        buf = buf.slice(end);
        return text;
      }
      const { value, done } = await r.read();
      if (done) throw new Error('SMTP: the server closed the connection');
      buf += dec.decode(value, { stream: true });
    }
  };
  const send = (line: string) => w.write(new TextEncoder().encode(`${line}\r\n`));
  try {
    const greeting = await reply();
    if (!greeting.startsWith('220')) throw new Error(`SMTP: greeting ${greeting.trim()}`);
    await send(`EHLO ${clientName}`);
    const ehlo = await reply();
    if (!/^250[ -]STARTTLS\r?$/im.test(ehlo)) throw new Error('SMTP: the server does not offer STARTTLS');
    await send('STARTTLS');
    const go = await reply();
    if (!go.startsWith('220')) throw new Error(`SMTP: STARTTLS refused: ${go.trim()}`);
    // Nothing may follow the 220: it was sent before TLS, by anyone on the
    // path (the STARTTLS injection of CVE-2011-0411, seen from the client).
    if (buf.length > 0) throw new Error('SMTP: bytes after the 220 to STARTTLS (refused)');
  } finally {
    r.releaseLock();
    w.releaseLock();
  }
}
