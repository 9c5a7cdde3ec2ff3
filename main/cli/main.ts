import { parseArgs } from 'node:util';
import { errorCode, errorMessage, PathwiseError } from '../../common/errors.ts';
import { APP_VERSION } from '../base/version.ts';
import { parseCommandArgs } from './args.ts';
import { commandSpec, type CommandSpec } from './commands.ts';
import { exitCodeFor } from './exitCodes.ts';
import type { CliIo } from './io.ts';

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
    command && commandSpec(command)
      ? `Run "pathwise ${command} --help" for its options.`
      : 'Run "pathwise --help" for the options.';
  const option = /^Unknown option '([^']+)'/.exec(errorMessage(error))?.[1];
  const message = option ? `Unknown option ${option}.` : errorMessage(error).replace(/\.?$/, '.');
  return new PathwiseError('E_USAGE', `${message} ${help}`, { cause: error });
}

async function helpText(command: string | undefined): Promise<string> {
  const { helpFor } = await import('./help.ts');
  const text = helpFor(command);
  if (text === undefined) {
    throw new PathwiseError(
      'E_USAGE',
      `There is no command "${command}". Run "pathwise --help" for the list.`,
    );
  }
  return text;
}

/** The overview, a command's help or the version; undefined when the command line asks for none. */
async function builtIn(command: string | undefined, rest: string[], io: CliIo): Promise<number | undefined> {
  if (command === undefined || command === '-h' || command === '--help') {
    io.stdout.write(await helpText(undefined));
    // No command at all is a usage mistake that gets the help.
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    io.stdout.write(`${APP_VERSION}\n`);
    return 0;
  }
  // `pathwise help [COMMAND]` and `pathwise COMMAND --help`: that command's own help.
  if (command === 'help' && !rest.includes('-h') && !rest.includes('--help')) {
    const spec = commandSpec('help') as CommandSpec;
    io.stdout.write(await helpText(parseCommandArgs(spec, rest).positionals[0]));
    return 0;
  }
  if (commandSpec(command) && (rest.includes('-h') || rest.includes('--help'))) {
    io.stdout.write(await helpText(command));
    return 0;
  }
  return undefined;
}

async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const answered = await builtIn(command, rest, io);
  if (answered !== undefined) return answered;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: {
          host: { type: 'string' },
          port: { type: 'string' },
          'data-dir': { type: 'string' },
          'allow-remote': { type: 'boolean' },
        },
        strict: true,
      });
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new PathwiseError('E_USAGE', `--port must be a number from 0 to 65535, not "${values.port}".`);
      }
      const { runServe } = await import('./serve.ts');
      const host = values.host ?? '127.0.0.1';
      const allowRemote = values['allow-remote'] === true;
      return runServe({ host, port, dataDir: values['data-dir'], allowRemote }, io);
    }
    default:
      return runNamed(command as string, rest, io);
  }
}

/** Every command but serve, each parsed by its row of the command table. */
async function runNamed(command: string, rest: string[], io: CliIo): Promise<number> {
  const spec = commandSpec(command);
  if (!spec) {
    throw new PathwiseError('E_USAGE', `Unknown command "${command}". Run "pathwise --help" for the list.`);
  }
  switch (command) {
    case 'get':
      return (await import('./get.ts')).runGet(rest, io);
    case 'usage':
      return (await import('./usage.ts')).runUsageArgs(rest, io);
    case 'interfaces': {
      const args = parseCommandArgs(spec, rest);
      const { runInterfaces } = await import('./interfaces.ts');
      return runInterfaces(
        {
          json: args.flag('json') ?? false,
          probe: args.flag('probe') ?? true,
          dataDir: args.string('data-dir'),
        },
        io,
      );
    }
    case 'watch': {
      const args = parseCommandArgs(spec, rest);
      const { runWatch } = await import('./watch.ts');
      return runWatch({ json: args.flag('json') ?? false, dataDir: args.string('data-dir') }, io);
    }
    case 'prefer':
    case 'override':
      return (await import('./settingsCommands.ts')).runSettingsCommand(
        spec,
        parseCommandArgs(spec, rest),
        io,
      );
    case 'plan':
      return (await import('./plan.ts')).runPlan(parseCommandArgs(spec, rest), io);
    case 'alerts':
      return (await import('./alerts.ts')).runAlerts(parseCommandArgs(spec, rest), io);
    case 'transfers':
      return (await import('./transfers.ts')).runTransfers(parseCommandArgs(spec, rest), io);
    case 'sync':
      return (await import('./sync.ts')).runSync(parseCommandArgs(spec, rest), io);
    case 'completion': {
      const [shell] = parseCommandArgs(spec, rest).positionals;
      io.stdout.write((await import('./completion.ts')).completionScript(shell as string));
      return 0;
    }
    default:
      throw new Error(`"${command}" is in the command table but main.ts does not run it`);
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
      // One code per class of failure (exitCodes.ts): usage 2 like most Unix tools, network 3…
      process.exitCode = exitCodeFor(error);
    },
  );
}

// Run directly (`node main/cli/main.ts`); bin/pathwise goes through out/cli/pathwise.js, which
// calls main() of the bundle or of this file (scripts/build-cli.ts).
if (process.argv[1]?.endsWith('/main/cli/main.ts')) main();
