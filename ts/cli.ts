/**
 * `wasmtls`: the command line, after openssl's. `s_client` and `s_server`
 * speak TLS 1.3 and 1.2 with this engine (over TCP, or through a WebSocket tunnel),
 * `relay` is the websockify-style WebSocket-to-TCP relay such a tunnel
 * needs. Bundled by esbuild into dist/cli.js with `ws` inside.
 *
 * Exit status: 0 on success, 1 on any failure (bad flags, no connection,
 * a failed handshake with the alert and verification error named).
 * @module
 */
import { CliError, UsageError, usage, type FlagTable } from './cli/args.js';
import { describeError } from './cli/common.js';
import { relay, RELAY_FLAGS } from './cli/relay.js';
import { CLIENT_FLAGS, sClient } from './cli/s_client.js';
import { SERVER_FLAGS, sServer } from './cli/s_server.js';

const COMMANDS: Record<string, { run: (argv: readonly string[]) => Promise<number>; flags: FlagTable; synopsis: string }> = {
  s_client: { run: sClient, flags: CLIENT_FLAGS, synopsis: 'wasmtls s_client -connect host:port [options]' },
  s_server: { run: sServer, flags: SERVER_FLAGS, synopsis: 'wasmtls s_server -cert file [-key file] [-accept [host:]port] [options]' },
  relay: {
    run: relay,
    flags: RELAY_FLAGS,
    synopsis: 'wasmtls relay -listen [host:]port (-allow host[:ports],... | -target host:port | -open) [options]',
  },
};

const TOP = `usage: wasmtls <command> [options]   (TLS 1.3 and 1.2 in WebAssembly)
  s_client   connect to a TLS server; stdin to it, its data to stdout
  s_server   TLS server: echo, or -www for a status page and /bytes/N
  relay      websockify-style WebSocket -> TCP relay (ws://relay/host:port)
'wasmtls <command> -help' lists a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-help' || name === '--help' || name === 'help') {
    process.stdout.write(TOP);
    return name === undefined ? 1 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`wasmtls: unknown command '${name}'\n${TOP}`);
    return 1;
  }
  if (rest.includes('-help') || rest.includes('--help')) {
    process.stdout.write(usage(cmd.synopsis, cmd.flags));
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`wasmtls ${name}: ${e.message}\n${usage(cmd.synopsis, cmd.flags)}`);
    } else if (e instanceof CliError) {
      for (const l of e.before) process.stderr.write(`${l}\n`);
      process.stderr.write(`wasmtls ${name}: ${e.message}\n`);
    } else {
      process.stderr.write(`wasmtls ${name}: ${describeError(e)}\n`);
    }
    return 1;
  }
}

// Exit explicitly: stdin (s_client) and listeners would keep the process up.
main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    process.stderr.write(`wasmtls: ${String(e)}\n`);
    process.exit(1);
  },
);
