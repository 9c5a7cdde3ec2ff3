import { PathwiseError } from '../../common/errors.ts';
import {
  COMMANDS,
  HELP_OPTION,
  SHELLS,
  type ArgSpec,
  type CommandSpec,
  type OptionSpec,
} from './commands.ts';

/**
 * `pathwise completion bash|zsh|fish`: a completion script written from the command table
 * (commands.ts), the same one the help and the option parser read: commands, their options, the
 * values an option or argument takes (fixed lists, files, folders, this machine's interfaces).
 */
export function completionScript(shell: string): string {
  switch (shell) {
    case 'bash':
      return bashScript();
    case 'zsh':
      return zshScript();
    case 'fish':
      return fishScript();
    default:
      throw new PathwiseError(
        'E_USAGE',
        `pathwise completion takes ${SHELLS.join(', ')}, not "${shell}". Run "pathwise completion --help" for how to install it.`,
      );
  }
}

const optionsOf = (spec: CommandSpec): OptionSpec[] => [...spec.options, HELP_OPTION];
const names = (): string => COMMANDS.map((c) => c.name).join(' ');
/** The words an option is typed as: -o, --output; --probe, --no-probe. */
function spellings(o: OptionSpec): string[] {
  return [...(o.short ? [`-${o.short}`] : []), `--${o.long}`, ...(o.negatable ? [`--no-${o.long}`] : [])];
}
/** The first clause of a help text: what a completion menu has room for. */
function brief(text: string): string {
  return text.split(/; | \(/)[0] ?? text;
}

// ─── bash ────────────────────────────────────────────────────────────────────────────────────

/** The bash words that offer a value: a fixed list, files, folders, interfaces; null for free text. */
function bashValues(o: {
  choices?: readonly string[] | undefined;
  complete?: string | undefined;
}): string | null {
  if (o.choices) return `COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur"))`;
  if (o.complete === 'file') return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
  if (o.complete === 'dir') return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
  if (o.complete === 'interface') return 'COMPREPLY=($(compgen -W "$(_pathwise_interfaces)" -- "$cur"))';
  if (o.complete === 'command') return `COMPREPLY=($(compgen -W "${names()}" -- "$cur"))`;
  return null;
}

function bashScript(): string {
  const valueCases: string[] = [];
  const skipCases: string[] = [];
  const optionCases: string[] = [];
  const argCases: string[] = [];
  for (const spec of COMMANDS) {
    const options = optionsOf(spec);
    for (const o of options.filter((x) => x.value)) {
      const words = spellings(o).map((w) => `"${spec.name} ${w}"`);
      valueCases.push(`    ${words.join('|')}) ${bashValues(o) ?? ':'}; return ;;`);
      skipCases.push(...words);
    }
    optionCases.push(`      ${spec.name}) words="${options.flatMap(spellings).join(' ')}" ;;`);
    spec.args.forEach((arg: ArgSpec, i) => {
      const values = bashValues(arg);
      if (values) argCases.push(`    "${spec.name} ${i}") ${values} ;;`);
    });
  }
  return `# bash completion for pathwise, written by "pathwise completion bash"
_pathwise_interfaces() { ls /sys/class/net 2>/dev/null; }
_pathwise() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd=\${COMP_WORDS[1]} words
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W "${names()} -h --help -v --version" -- "$cur"))
    return
  fi
  # The word before is an option that takes a value: its values.
  case "$cmd $prev" in
${valueCases.join('\n')}
  esac
  if [[ $cur == -* ]]; then
    case $cmd in
${optionCases.join('\n')}
      *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  # Which argument this is: the words so far that are neither options nor their values.
  local i n=0
  for ((i = 2; i < COMP_CWORD; i++)); do
    case "$cmd \${COMP_WORDS[i]}" in
    ${skipCases.join('|') || '"-"'}) ((i++)) ;;
    *) [[ \${COMP_WORDS[i]} == -* ]] || ((n++)) ;;
    esac
  done
  case "$cmd $n" in
${argCases.join('\n')}
  esac
}
complete -F _pathwise pathwise
`;
}

// ─── zsh ─────────────────────────────────────────────────────────────────────────────────────

/** Text in a single-quoted zsh word, as _arguments reads it ([ ] and : are its syntax). */
function zq(text: string): string {
  return text.replaceAll("'", "'\\''").replaceAll('[', '\\[').replaceAll(']', '\\]').replaceAll(':', '\\:');
}

function zshAction(o: { choices?: readonly string[] | undefined; complete?: string | undefined }): string {
  if (o.choices) return `(${o.choices.join(' ')})`;
  if (o.complete === 'file') return '_files';
  if (o.complete === 'dir') return '_files -/';
  if (o.complete === 'interface') return '_pathwise_interfaces';
  if (o.complete === 'command') return `(${names()})`;
  return ' ';
}

function zshOption(o: OptionSpec): string[] {
  const value = o.value ? `:${zq(o.value)}:${zshAction(o)}` : '';
  const about = `[${zq(brief(o.help))}]`;
  const star = o.multiple ? '*' : '';
  if (o.negatable) return [`'--${o.long}${about}'`, `'--no-${o.long}[do not ${zq(brief(o.help))}]'`];
  if (o.short) return [`${star}'(-${o.short} --${o.long})'{-${o.short},--${o.long}}'${about}${value}'`];
  return [`'${star}--${o.long}${about}${value}'`];
}

function zshScript(): string {
  const commands = COMMANDS.map((c) => `    '${c.name}:${zq(c.summary)}'`);
  const cases = COMMANDS.map((spec) => {
    const args = spec.args.map((a, i) => `'${i + 1}${a.optional ? '::' : ':'}${zq(a.name)}:${zshAction(a)}'`);
    const specs = [...optionsOf(spec).flatMap(zshOption), ...args];
    return `    ${spec.name})\n      _arguments -s \\\n        ${specs.join(' \\\n        ')}\n      ;;`;
  });
  return `#compdef pathwise
# zsh completion for pathwise, written by "pathwise completion zsh"
_pathwise_interfaces() {
  local -a ifs
  ifs=(\${(f)"$(ls /sys/class/net 2>/dev/null)"})
  _describe 'interface' ifs
}
_pathwise() {
  local -a commands
  commands=(
${commands.join('\n')}
  )
  if ((CURRENT == 2)); then
    _describe -t commands 'pathwise command' commands
    return
  fi
  local cmd=$words[2]
  shift words
  ((CURRENT--))
  case $cmd in
${cases.join('\n')}
  esac
}
if [ "$funcstack[1]" = "_pathwise" ]; then
  _pathwise "$@"
else
  compdef _pathwise pathwise
fi
`;
}

// ─── fish ────────────────────────────────────────────────────────────────────────────────────

function fq(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function fishValues(o: { choices?: readonly string[] | undefined; complete?: string | undefined }): string {
  if (o.choices) return `-x -a ${fq(o.choices.join(' '))}`;
  if (o.complete === 'file') return '-r -F';
  if (o.complete === 'dir') return "-x -a '(__fish_complete_directories)'";
  if (o.complete === 'interface') return "-x -a '(__pathwise_interfaces)'";
  if (o.complete === 'command') return `-x -a ${fq(names())}`;
  return '-x';
}

function fishScript(): string {
  const lines = COMMANDS.map(
    (c) => `complete -c pathwise -n __fish_use_subcommand -a ${c.name} -d ${fq(c.summary)}`,
  );
  for (const spec of COMMANDS) {
    const when = `-n '__fish_seen_subcommand_from ${spec.name}'`;
    for (const o of optionsOf(spec)) {
      const flags = `${o.short ? `-s ${o.short} ` : ''}-l ${o.long}`;
      const values = o.value ? ` ${fishValues(o)}` : '';
      lines.push(`complete -c pathwise ${when} ${flags}${values} -d ${fq(brief(o.help))}`);
      if (o.negatable)
        lines.push(`complete -c pathwise ${when} -l no-${o.long} -d ${fq(`do not ${brief(o.help)}`)}`);
    }
    // Each argument's values where it is: the Nth word that is neither an option nor its value.
    const valued = optionsOf(spec)
      .filter((o) => o.value)
      .flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]);
    spec.args.forEach((arg, index) => {
      if (!arg.choices && (!arg.complete || arg.complete === 'none')) return;
      const at = `-n '__fish_seen_subcommand_from ${spec.name}; and __pathwise_arg ${index + 1} ${valued.join(' ')}'`;
      lines.push(`complete -c pathwise ${at} ${fishValues(arg)} -d ${fq(arg.name)}`);
    });
  }
  return `# fish completion for pathwise, written by "pathwise completion fish"
function __pathwise_interfaces
    ls /sys/class/net 2>/dev/null
end
# True when the word being completed is the command's Nth argument; the rest of argv are the
# options that take a value (that value is not an argument).
function __pathwise_arg --argument-names n
    set -l count 0
    set -l skip 0
    for word in (commandline -opc)[3..-1]
        if test $skip -eq 1
            set skip 0
        else if contains -- $word $argv[2..-1]
            set skip 1
        else if not string match -q -- '-*' $word
            set count (math $count + 1)
        end
    end
    test $skip -eq 0; and test $count -eq (math $n - 1)
end
complete -c pathwise -f
complete -c pathwise -n __fish_use_subcommand -s h -l help -d 'show the help'
complete -c pathwise -n __fish_use_subcommand -s v -l version -d 'print the version'
${lines.join('\n')}
`;
}
