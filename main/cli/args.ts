import { parseArgs } from 'node:util';
import { PathwiseError } from '../../common/errors.ts';
import { HELP_OPTION, type CommandSpec } from './commands.ts';

type Value = string | boolean | string[] | undefined;

/** A command's arguments as its row of the table (commands.ts) says to read them. */
export class ParsedArgs {
  readonly positionals: string[];
  private readonly values: Record<string, Value>;
  private readonly spec: CommandSpec;

  constructor(spec: CommandSpec, values: Record<string, Value>, positionals: string[]) {
    this.spec = spec;
    this.values = values;
    this.positionals = positionals;
  }

  /** A switch: true, false (`--no-x`), or undefined when not given. */
  flag(name: string): boolean | undefined {
    return this.value(name, 'boolean') as boolean | undefined;
  }

  string(name: string): string | undefined {
    return this.value(name, 'string') as string | undefined;
  }

  list(name: string): string[] {
    return (this.value(name, 'string') as string[] | undefined) ?? [];
  }

  /** Whether any of the options (not --json or --data-dir) was given. */
  given(...names: string[]): boolean {
    return names.some((n) => this.value(n, undefined) !== undefined);
  }

  private value(name: string, type: 'string' | 'boolean' | undefined): Value {
    const option = this.spec.options.find((o) => o.long === name);
    // A name the table lacks is a bug here, not the user's mistake.
    if (!option || (type && (option.value ? 'string' : 'boolean') !== type)) {
      throw new Error(`"${this.spec.name}" has no ${type ?? ''} option --${name}`);
    }
    return this.values[name];
  }
}

/**
 * Parses a command's arguments by its table row: options (unknown ones refused), and positionals
 * counted against its arguments (unless the command counts them itself). Mistakes are usage
 * errors (exit code 2) that name its help.
 */
export function parseCommandArgs(spec: CommandSpec, args: string[], countArgs = true): ParsedArgs {
  const options = Object.fromEntries(
    [...spec.options, HELP_OPTION].map((o) => [
      o.long,
      {
        type: o.value ? ('string' as const) : ('boolean' as const),
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  const { values, positionals } = parseArgs({
    args,
    options,
    allowPositionals: true,
    allowNegative: spec.options.some((o) => o.negatable),
    strict: true,
  });
  const required = spec.args.filter((a) => !a.optional).length;
  if (countArgs && (positionals.length < required || positionals.length > spec.args.length)) {
    const names = spec.args.map((a) => a.name).join(' ');
    throw commandUsage(
      spec.name,
      positionals.length < required
        ? `"pathwise ${spec.name}" needs ${names}.`
        : `"pathwise ${spec.name}" takes ${names || 'no arguments'}; "${positionals.slice(spec.args.length).join(' ')}" is one too many.`,
    );
  }
  return new ParsedArgs(spec, values as Record<string, Value>, positionals);
}

/** A usage mistake in a command: exit code 2, and where its options are explained. */
export function commandUsage(command: string, message: string): PathwiseError {
  return new PathwiseError('E_USAGE', `${message} Run "pathwise ${command} --help" for its options.`);
}

/** A value that must be one of a list. */
export function oneOf<T extends string>(
  command: string,
  option: string,
  value: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw commandUsage(command, `${option} takes ${choices.join(', ')}, not "${value}".`);
}
