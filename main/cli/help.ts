import { resolveDataDir } from '../base/dataDir.ts';
import { APP_VERSION } from '../base/version.ts';
import { COMMANDS, commandSpec, HELP_OPTION, type CommandSpec, type OptionSpec } from './commands.ts';
import { exitCodesHelp } from './exitCodes.ts';

const WIDTH = 100;

/** Words of `text` in lines of at most `width - indent`, each line after the first indented. */
export function wrap(text: string, indent: number, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** "  label   text": the text in a column, wrapped under itself; a long label gets a line of its own. */
function columns(label: string, text: string, column: number): string {
  const head = `  ${label}`;
  if (head.length + 1 > column) return `${head}\n${' '.repeat(column)}${wrap(text, column)}`;
  return `${head.padEnd(column)}${wrap(text, column)}`;
}

export function optionLabel(option: OptionSpec): string {
  const long = option.negatable ? `--[no-]${option.long}` : `--${option.long}`;
  const value = option.value ? ` ${option.value}` : '';
  return `${option.short ? `-${option.short}, ` : ''}${long}${value}`;
}

/** A command's own help: usage line, what it does, its arguments' values, options, notes. */
export function commandHelp(spec: CommandSpec): string {
  const parts = [`Usage: pathwise ${spec.name} ${spec.synopsis}`.trimEnd(), wrap(spec.about, 0)];
  const listed = spec.args.filter((a) => a.choices);
  if (listed.length > 0) {
    parts.push(
      ['Arguments:', ...listed.map((a) => columns(a.name, (a.choices ?? []).join(' | '), 25))].join('\n'),
    );
  }
  const options = [...spec.options, HELP_OPTION];
  parts.push(['Options:', ...options.map((o) => columns(optionLabel(o), o.help, 25))].join('\n'));
  if (spec.notes) parts.push(spec.notes);
  return `${parts.join('\n\n')}\n`;
}

/** `pathwise help COMMAND`, `pathwise COMMAND --help`: that command's help, else the overview. */
export function helpFor(command: string | undefined): string | undefined {
  if (command === undefined) return overview();
  const spec = commandSpec(command);
  return spec ? commandHelp(spec) : undefined;
}

/** `pathwise --help`: every command in a line, the global options and the exit codes. */
export function overview(): string {
  const commands = COMMANDS.map((c) => columns(`${c.name} ${c.synopsis}`.trimEnd(), c.summary, 38));
  return `Pathwise ${APP_VERSION} — keep transfers alive across every network path.

Usage: pathwise <command> [options]

Commands:
${commands.join('\n')}

Global options:
  --data-dir DIR   where the ledger, settings and journals live (or PATHWISE_DATA_DIR); the
                   app and every command share one: ${resolveDataDir()}
  -h, --help       show this help; "pathwise help COMMAND" or "pathwise COMMAND --help" shows
                   that command's own
  -v, --version    print the version

${exitCodesHelp()}`;
}
