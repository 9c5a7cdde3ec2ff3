import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PathTypeSchema,
  PreferenceSchema,
  TransferModeSchema,
  PlanSchema,
} from '../../common/settingsContract.ts';
import { parseCommandArgs } from '../../main/cli/args.ts';
import { AT_CAP, COMMANDS, MODES, PATH_TYPES, PREFERENCES } from '../../main/cli/commands.ts';
import { completionScript } from '../../main/cli/completion.ts';
import { optionLabel } from '../../main/cli/help.ts';
import { cli } from './inProcess.ts';

describe('the command table (issue 22)', () => {
  it('names the values the contract accepts, no more and no fewer', () => {
    expect([...PREFERENCES]).toEqual(PreferenceSchema.options);
    expect([...PATH_TYPES]).toEqual(PathTypeSchema.options);
    expect([...MODES]).toEqual(TransferModeSchema.options);
    expect([...AT_CAP]).toEqual(PlanSchema.shape.atCap.options);
  });

  it('gives every command its own help, the same from "help CMD" and "CMD --help"', async () => {
    for (const spec of COMMANDS) {
      const viaHelp = await cli(['help', spec.name]);
      const viaFlag = await cli([spec.name, '--help']);
      const viaShort = await cli([spec.name, '-h']);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      expect(viaHelp.stdout).toBe(viaShort.stdout);
      expect(viaHelp.stdout.split('\n')[0]).toBe(`Usage: pathwise ${spec.name} ${spec.synopsis}`.trimEnd());
      for (const option of spec.options) expect(viaHelp.stdout).toContain(optionLabel(option));
    }
    const help = await cli(['help', 'prefer']);
    expect(help.stdout).not.toContain('--sha256');
    expect((await cli(['help', 'nosuch'])).code).toBe(2);
  });

  it('lists every command in the overview', async () => {
    const { stdout, code } = await cli(['--help']);
    expect(code).toBe(0);
    for (const spec of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${spec.name} `, 'm'));
  });

  it('parses every option it lists, and refuses one it does not', () => {
    for (const spec of COMMANDS) {
      for (const option of spec.options) {
        const args = [...spec.args.map((a) => a.choices?.[0] ?? 'x'), `--${option.long}`];
        if (option.value) args.push(option.choices?.[0] ?? '1');
        expect(() => parseCommandArgs(spec, args), `${spec.name} --${option.long}`).not.toThrow();
      }
    }
  });

  it('points an unknown option at the command’s own help', async () => {
    const result = await cli(['alerts', '--unred']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'pathwise: Unknown option --unred. Run "pathwise alerts --help" for its options. [E_USAGE]\n',
    );
  });
});

describe('pathwise completion', () => {
  it('names every command and every option of the table in each shell’s script', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const { stdout, code } = await cli(['completion', shell]);
      expect(code).toBe(0);
      for (const spec of COMMANDS) {
        expect(stdout, `${shell}: ${spec.name}`).toContain(spec.name);
        for (const o of spec.options) {
          const long = shell === 'fish' ? `-l ${o.long}` : `--${o.long}`;
          expect(stdout, `${shell}: ${spec.name} --${o.long}`).toContain(long);
        }
      }
    }
    const wrong = await cli(['completion', 'tcsh']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('bash, zsh, fish');
  });

  it('completes commands, options and their values in bash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-completion-'));
    const script = join(dir, 'pathwise.bash');
    writeFileSync(script, completionScript('bash'));
    const complete = (...words: string[]): string[] =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _pathwise; printf '%s\\n' "\${COMPREPLY[@]}"`,
          script,
          'pathwise',
          ...words,
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
    expect(complete('')).toEqual(expect.arrayContaining(COMMANDS.map((c) => c.name)));
    expect(complete('pre')).toEqual(['prefer']);
    expect(complete('get', '--mo')).toEqual(['--mode']);
    expect(complete('get', '--mode', '')).toEqual([...MODES]);
    expect(complete('prefer', 'lo', '')).toEqual([...PREFERENCES]);
    // An option's value is not an argument: the preference is still the second one.
    expect(complete('prefer', '--data-dir', '/tmp', 'lo', '')).toEqual([...PREFERENCES]);
    expect(complete('plan', 'lo', '--at-cap', '')).toEqual([...AT_CAP]);
    expect(complete('interfaces', '--')).toEqual(['--json', '--probe', '--no-probe', '--data-dir', '--help']);
    expect(complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe('pathwise completion in fish and zsh', () => {
  it('completes commands, options and each argument where it stands in fish', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-completion-'));
    const script = join(dir, 'pathwise.fish');
    writeFileSync(script, completionScript('fish'));
    const complete = (line: string): string[] =>
      execFileSync('fish', ['-c', 'source $argv[1]; complete -C $argv[2]', script, line], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0] as string);
    expect(complete('pathwise ')).toEqual(expect.arrayContaining(COMMANDS.map((c) => c.name)));
    expect(complete('pathwise get --mo')).toEqual(['--mode']);
    expect(complete('pathwise get --mode ').sort()).toEqual([...MODES].sort());
    // The preference is the second argument: after a path, only preferences; an option's value
    // does not count as one.
    expect(complete('pathwise prefer lo ').sort()).toEqual([...PREFERENCES].sort());
    expect(complete('pathwise prefer --data-dir /tmp lo ').sort()).toEqual([...PREFERENCES].sort());
    expect(complete('pathwise prefer ')).not.toContain('always');
    expect(complete('pathwise completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
  });

  it('writes a zsh script that zsh reads and that defines the completion function', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-completion-'));
    const script = join(dir, '_pathwise');
    writeFileSync(script, completionScript('zsh'));
    execFileSync('zsh', ['-n', script]);
    const defined = execFileSync(
      'zsh',
      [
        '-f',
        '-c',
        'autoload -U compinit; compinit -u -d "$0.zcompdump"; source "$0"; whence -w _pathwise; print -r -- $_comps[pathwise]',
        script,
      ],
      { encoding: 'utf8' },
    );
    // Defined, and registered as pathwise's completion.
    expect(defined.trim().split('\n')).toEqual(['_pathwise: function', '_pathwise']);
  });
});
