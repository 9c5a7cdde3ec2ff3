import { parseArgs } from 'node:util';
import { errorCode, errorMessage, PathwiseError } from '../../common/errors.ts';
import { APP_VERSION } from '../base/version.ts';
import type { CliIo } from './io.ts';

const HELP = `Pathwise ${APP_VERSION} — keep transfers alive across every network path.

Usage: pathwise <command> [options]

Commands:
  get URL [-o FILE] [--paths a,b] [--mode M] [--cap PATH=SIZE] [--sha256 HEX] [--json]
                                      download over several paths at once (resumable)
  interfaces [--json] [--no-probe]    list this machine's network paths with their health
  watch [--json]                      print path events as they happen (JSON lines with --json)
  usage [--json]                      this billing cycle per path: bytes, cap, cost, forecast, energy
  usage --days|--months|--cycles [--export csv|json]
                                      usage history per path (--correct PATH=SIZE, --reset PATH)
  serve [--host 127.0.0.1] [--port N] serve the dashboard to a browser (token-protected)

Global options:
  --data-dir DIR   where the ledger and journals live (or PATHWISE_DATA_DIR)
  -h, --help       show this help
  -v, --version    print the version
`;

export type { CliIo };

export async function runCli(argv: string[], io: CliIo = process): Promise<number> {
  try {
    return await runCommand(argv, io);
  } catch (error) {
    throw usageFromParseArgs(error, argv[0]);
  }
}

/**
 * node:util's parseArgs errors (an unknown option, a missing value) as usage errors: exit code 2
 * like every other usage mistake, and a pointer to the command's help instead of Node's advice.
 */
function usageFromParseArgs(error: unknown, command: string | undefined): unknown {
  const code = errorCode(error);
  if (!code.startsWith('ERR_PARSE_ARGS_')) return error;
  const help =
    command === 'get'
      ? 'Run "pathwise get --help" for its options.'
      : command === 'usage'
        ? 'Run "pathwise usage --help" for its options.'
        : 'Run "pathwise --help" for the options.';
  const option = /^Unknown option '([^']+)'/.exec(errorMessage(error))?.[1];
  const message = option ? `Unknown option ${option}.` : errorMessage(error).replace(/\.?$/, '.');
  return new PathwiseError('E_USAGE', `${message} ${help}`, { cause: error });
}

const COMMANDS = new Set(['interfaces', 'watch', 'serve']);

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  // `pathwise <command> --help`: the overview lists every command's options (get has its own).
  if (command && COMMANDS.has(command) && (rest.includes('-h') || rest.includes('--help'))) {
    io.stdout.write(HELP);
    return 0;
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${APP_VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'interfaces': {
      const { values } = parseArgs({
        args: rest,
        options: { json: { type: 'boolean' }, probe: { type: 'boolean' }, 'data-dir': { type: 'string' } },
        allowNegative: true,
        strict: true,
      });
      const { runInterfaces } = await import('./interfaces.ts');
      return runInterfaces(
        { json: values.json ?? false, probe: values.probe ?? true, dataDir: values['data-dir'] },
        io,
      );
    }
    case 'watch': {
      const { values } = parseArgs({
        args: rest,
        options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' } },
        strict: true,
      });
      const { runWatch } = await import('./watch.ts');
      return runWatch({ json: values.json ?? false, dataDir: values['data-dir'] }, io);
    }
    case 'usage': {
      const { USAGE_HELP, runUsageArgs } = await import('./usage.ts');
      if (rest.includes('-h') || rest.includes('--help')) {
        io.stdout.write(USAGE_HELP);
        return 0;
      }
      return runUsageArgs(rest, io);
    }
    case 'get': {
      const { GET_USAGE, runGet } = await import('./get.ts');
      if (rest.includes('-h') || rest.includes('--help')) {
        io.stdout.write(GET_USAGE);
        return 0;
      }
      return runGet(rest, io);
    }
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { host: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' } },
        strict: true,
      });
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new PathwiseError('E_USAGE', `--port must be a number from 0 to 65535, not "${values.port}".`);
      }
      const { runServe } = await import('./serve.ts');
      return runServe({ host: values.host ?? '127.0.0.1', port, dataDir: values['data-dir'] }, io);
    }
    default:
      throw new PathwiseError('E_USAGE', `Unknown command "${command}". Run "pathwise --help" for the list.`);
  }
}

/**
 * What stderr says about a failed command: the message with its code at the end of its first
 * paragraph (a usage error's help text follows it, not the other way round).
 */
export function errorReport(error: unknown): string {
  const code = errorCode(error);
  const tag = code === 'E_INTERNAL' ? '' : ` [${code}]`;
  const [first, ...more] = errorMessage(error).split('\n\n');
  return `pathwise: ${[`${first ?? ''}${tag}`, ...more].join('\n\n').trimEnd()}\n`;
}

/** Runs this process's command line: its arguments, output and exit code (bin/pathwise). */
export function main(): void {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Done is done: a connect still waiting on a dead path (undici can't cancel a custom
      // connector) must not hold the finished command open. Exit once stdout has drained.
      process.stdout.write('', () => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(errorReport(error));
      // Usage mistakes exit 2 like most Unix tools; everything else 1.
      process.exitCode = errorCode(error) === 'E_USAGE' ? 2 : 1;
    },
  );
}

// Run directly (`node main/cli/main.ts`); bin/pathwise goes through out/cli/pathwise.js, which
// calls main() of the bundle or of this file (scripts/build-cli.ts).
if (process.argv[1]?.endsWith('/main/cli/main.ts')) main();
