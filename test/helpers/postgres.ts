/**
 * A throwaway PostgreSQL cluster for the STARTTLS tests: Debian's
 * `postgresql` package (installed by build.sh), `initdb` in a temporary
 * folder, the server on a free 127.0.0.1 port with `ssl = on` and a
 * certificate from the test PKI (test/helpers/pki.ts), and pg_hba rules
 * that take TLS only:
 *
 * - role `trusted`: `hostssl ... trust` (no password, no client certificate);
 * - role `certuser`: `hostssl ... cert` (authenticated by a client
 *   certificate validated against the test CA; the PKI's client
 *   certificate, CN=client.test, is mapped to the role in pg_ident.conf);
 * - anything without TLS: `hostnossl ... reject`.
 *
 * PostgreSQL refuses to run as root ("root" execution of the PostgreSQL
 * server is not permitted): as root (CI, this machine) the cluster is made
 * and run as the `postgres` system user the package creates, in a folder
 * that user owns; as anyone else, as the current user. `stop()` shuts the
 * server down (fast shutdown) and removes the folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { checkSslResponse, SSL_REQUEST } from './pg-wire.js';
import type { Pki } from './pki.js';
import { freePort } from './runtimes.js';

export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  /** The server's log so far (stderr): the reason behind a refusal. */
  log(): string;
  stop(): Promise<void>;
}

/** The bin folder of the newest installed PostgreSQL, or a clear error. */
export function pgBinDir(): string {
  if (process.env.PG_BINDIR) return process.env.PG_BINDIR;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run `bash build.sh` as root ' +
        '(it installs the Debian package `postgresql`), or `apt-get install postgresql`, or set PG_BINDIR',
    );
  }
  return join(base, versions[0], 'bin');
}

/**
 * Make a cluster and start it; rejects with the server's log when it does
 * not come up within 30 s (and leaves nothing behind).
 */
export async function startPostgres(pki: Pki): Promise<PgCluster> {
  const bin = pgBinDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync('/tmp/wasmtls-pg-');
  // As root the cluster belongs to `postgres`; its uid from the system.
  const owner = root ? pgUser() : undefined;
  const as = (cmd: string, args: string[]): [string, string[]] =>
    root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  let child: ChildProcess | undefined;
  let log = '';
  const cleanup = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      // SIGINT is PostgreSQL's fast shutdown: backends end, no checkpoint
      // wait beyond what it needs. runuser passes the signal on to its
      // child; the postmaster's own pid is signalled too, should it not.
      signalPostmaster(dir, 'SIGINT');
      child.kill('SIGINT');
      const t = setTimeout(() => {
        signalPostmaster(dir, 'SIGKILL');
        child!.kill('SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const data = join(dir, 'data');
    const [initCmd, initArgs] = as(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'reject',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
    ]);
    try {
      execFileSync(initCmd, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`initdb failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
    }
    // The key must be the server user's and 0600 (PostgreSQL refuses a
    // key others may read).
    const tls = (name: string, from: string) => {
      const to = join(data, name);
      copyFileSync(from, to);
      chmodSync(to, 0o600);
      if (owner) chownSync(to, owner.uid, owner.gid);
      return to;
    };
    const cert = tls('server.crt', pki.path('server-chain.crt'));
    const key = tls('server.key', pki.path('server.key'));
    const ca = tls('root.crt', pki.path('ca.crt'));
    // First match wins (pg_hba.conf(5)): TLS only over TCP, by role; the
    // superuser over the folder's Unix socket, to make the roles.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      [
        'local     all postgres              trust',
        'hostnossl all all all                 reject',
        'hostssl   all trusted  127.0.0.1/32   trust',
        'hostssl   all certuser 127.0.0.1/32   cert map=wasmtls',
        'hostssl   all all      127.0.0.1/32   reject',
        '',
      ].join('\n'),
    );
    // The test PKI's client certificate is CN=client.test: the map lets
    // it stand for the role (pg_ident.conf(5)).
    writeFileSync(join(data, 'pg_ident.conf'), 'wasmtls client.test certuser\n');
    const port = await freePort();
    const [cmd, args] = as(join(bin, 'postgres'), [
      '-D',
      data,
      '-k',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${cert}`,
      '-c',
      `ssl_key_file=${key}`,
      '-c',
      `ssl_ca_file=${ca}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=20',
      '-c',
      'shared_buffers=16MB',
      '-c',
      'log_connections=on',
      '-c',
      'log_min_messages=warning',
    ]);
    child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const c = child;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => done(new Error('PostgreSQL did not start within 30 s')), 30_000);
      const onData = (): void => {
        if (log.includes('database system is ready to accept connections')) done();
      };
      const onExit = (code: number | null): void => done(new Error(`postgres exited (${code}) before it was ready`));
      function done(err?: Error): void {
        clearTimeout(t);
        c.stderr!.off('data', onData);
        c.off('exit', onExit);
        if (err) reject(new Error(`${err.message}\n${log}`));
        else resolve();
      }
      c.stderr!.on('data', onData);
      c.once('exit', onExit);
    });
    // The roles, over the Unix socket in the temporary folder (only its
    // owner can reach it) as the superuser.
    const [psqlCmd, psqlArgs] = as(join(bin, 'psql'), [
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-q',
      '-c',
      'CREATE ROLE trusted LOGIN',
      '-c',
      'CREATE ROLE certuser LOGIN',
    ]);
    try {
      execFileSync(psqlCmd, psqlArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`psql failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}\n${log}`);
    }
    return { host: '127.0.0.1', port, log: () => log, stop: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function pgUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no `postgres` system user: the Debian package `postgresql` makes it (run build.sh as root)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Signal the postmaster by its pid in postmaster.pid (first line). */
function signalPostmaster(dir: string, sig: NodeJS.Signals): void {
  try {
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, sig);
  } catch {
    /* not running (any more) */
  }
}

/**
 * The plaintext phase on a Node socket, as a careful caller writes it:
 * send SSLRequest, take the answer in a `'data'` listener that pauses the
 * socket and removes itself (a flowing socket with no listener would drop
 * what comes next), check it is the lone 'S'. The socket is left paused,
 * with no listener, for `fromNodeSocket()` or `tls.connect({ socket })`.
 */
export function sslRequestOverSocket(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      socket.pause();
      off();
      try {
        checkSslResponse(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        resolve();
      } catch (e) {
        reject(e);
      }
    };
    const onEnd = (): void => {
      off();
      reject(new Error('PostgreSQL: the connection ended before the answer to SSLRequest'));
    };
    const onError = (e: Error): void => {
      off();
      reject(e);
    };
    const off = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.write(SSL_REQUEST);
  });
}

/** A TCP connection to the cluster (rejects with Node's error). */
export function connectPg(pg: PgCluster): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: pg.host, port: pg.port });
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}
