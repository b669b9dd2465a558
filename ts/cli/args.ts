/**
 * OpenSSL-style flags for the CLI (`-connect host:port`, `-brief`): one
 * table per command gives each flag's kind and help line, so parsing and
 * the usage text cannot drift apart. `--flag` is accepted too.
 * @module
 */

/** A flag: `'bool'` takes no value, `'string'` and `'int'` take the next word. */
export interface FlagSpec {
  kind: 'bool' | 'string' | 'int';
  /** The value's placeholder in the usage text (`host:port`). */
  arg?: string;
  help: string;
}

export type FlagTable = Record<string, FlagSpec>;
export type Flags = Record<string, string | number | boolean | undefined>;

/** Bad command line: the CLI prints the message and the command's usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure to report as `wasmtls <cmd>: <message>` with exit status 1. */
export class CliError extends Error {
  /** Lines printed before the message (OpenSSL's `verify error:...`). */
  readonly before: string[];
  constructor(message: string, options?: { cause?: unknown; before?: string[] }) {
    super(message, options);
    this.name = 'CliError';
    this.before = options?.before ?? [];
  }
}

export function parseFlags(argv: readonly string[], table: FlagTable): Flags {
  const out: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-') || word === '-' || word === '--') throw new UsageError(`unexpected argument '${word}'`);
    const name = word.replace(/^--?/, '');
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec) throw new UsageError(`unknown option -${name}`);
    if (spec.kind === 'bool') {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`-${name} needs a value (${spec.arg ?? spec.kind})`);
    if (spec.kind === 'int') {
      if (!/^\d+$/.test(value)) throw new UsageError(`-${name}: expected a non-negative integer, got '${value}'`);
      out[name] = Number(value);
    } else out[name] = value;
  }
  return out;
}

export function usage(synopsis: string, table: FlagTable): string {
  const rows = Object.entries(table).map(([n, s]) => [`-${n}${s.arg ? ` ${s.arg}` : ''}`, s.help]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return `usage: ${synopsis}\n${rows.map(([a, h]) => `  ${a.padEnd(w)}  ${h}`).join('\n')}\n`;
}

/**
 * `host:port`, `[v6]:port`, or (with `defaultHost`) a bare `port`.
 * Ports 0..65535; 0 lets a listener pick one.
 */
export function hostPort(text: string, flag: string, defaultHost?: string): { host: string; port: number } {
  let host: string | undefined;
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) [, host, port] = v6;
  else if (/^\d+$/.test(text) && defaultHost !== undefined) port = text;
  else {
    const i = text.lastIndexOf(':');
    if (i <= 0) throw new UsageError(`-${flag}: expected host:port, got '${text}'`);
    host = text.slice(0, i);
    port = text.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new UsageError(`-${flag}: bad port in '${text}'`);
  return { host: host ?? defaultHost!, port: n };
}
