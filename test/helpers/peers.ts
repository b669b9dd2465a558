/**
 * External TLS peers for the interop tests: a child process whose stdout
 * and stderr are collected, with bounded waits; always killed by the
 * caller in `finally`.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class Peer {
  readonly child: ChildProcessWithoutNullStreams;
  private out: Buffer[] = [];
  private err: Buffer[] = [];
  exited: number | null | undefined;
  private waiters: (() => void)[] = [];

  /** `opts.cwd`: where the peer runs (`s_server -WWW` serves files from it). */
  constructor(
    readonly cmd: string,
    readonly args: string[],
    opts: { cwd?: string } = {},
  ) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    const wake = () => {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    };
    this.child.stdout.on('data', (d: Buffer) => {
      this.out.push(d);
      wake();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.err.push(d);
      wake();
    });
    this.child.stdin.on('error', () => {}); // the peer may exit first
    this.child.on('exit', (code) => {
      this.exited = code;
      wake();
    });
    this.child.on('error', (e) => {
      this.err.push(Buffer.from(String(e)));
      this.exited = -1;
      wake();
    });
  }

  get stdout(): Buffer {
    return Buffer.concat(this.out);
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('latin1');
  }

  write(data: Uint8Array | string): void {
    this.child.stdin.write(data);
  }

  private wait(pred: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred()) {
          clearTimeout(t);
          resolve();
          return;
        }
        if (Date.now() > deadline) return;
        this.waiters.push(check);
      };
      const t = setTimeout(
        () =>
          reject(
            new Error(
              `${this.cmd}: timed out waiting for ${what}\nstdout: ${this.stdout.toString('latin1').slice(-2000)}\nstderr: ${this.stderr.slice(-2000)}`,
            ),
          ),
        ms,
      );
      check();
    });
  }

  /** Wait until stdout (or stderr, with `stream`) contains `needle`. */
  waitFor(needle: Uint8Array | string, ms = 10_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<void> {
    const n = typeof needle === 'string' ? Buffer.from(needle, 'latin1') : Buffer.from(needle);
    const where = () => (stream === 'stdout' ? this.stdout : Buffer.from(this.stderr, 'latin1'));
    return this.wait(() => where().includes(n), ms, typeof needle === 'string' ? JSON.stringify(needle) : `${n.length} bytes`);
  }

  waitExit(ms = 10_000): Promise<void> {
    return this.wait(() => this.exited !== undefined, ms, 'exit');
  }

  kill(): void {
    if (this.exited === undefined) this.child.kill('SIGKILL');
  }
}

/** Whether a command runs at all (the test skips a peer that is missing). */
export function have(cmd: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/** Printable payload (so text-mode peers pass it unchanged) with no
 * character s_server/s_client take as a stdin command (Q q r R k K c P S B)
 * wherever a read from their stdin may start. */
export function payload(n: number, seed: number): Buffer {
  const alphabet = '0123456789abdefghijlmnotuvwxyz#';
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = i % 64 === 63 ? 0x0a : alphabet.charCodeAt((x >>> 0) % alphabet.length);
  }
  return b;
}
