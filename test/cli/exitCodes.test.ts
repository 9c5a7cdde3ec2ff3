import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, PathwiseError } from '../../common/errors.ts';
import { EXIT_CLASSES, exitClassOf, exitCodeFor } from '../../main/cli/exitCodes.ts';
import { A, tempDir } from '../support/engineLab.ts';
import { runPathwise } from '../support/cli.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { cli } from './inProcess.ts';

const content = deterministicContent(300_000, 7);
let server: RangeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('exit codes: one per class of failure (issue 22)', () => {
  it('places every error code in a class, and maps the classes to distinct codes', () => {
    for (const code of Object.keys(ERROR_CODES))
      expect(Object.keys(EXIT_CLASSES)).toContain(exitClassOf(code));
    const codes = Object.values(EXIT_CLASSES).map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(exitCodeFor(new PathwiseError('E_USAGE', 'x'))).toBe(2);
    expect(exitCodeFor(new PathwiseError('E_REFUSED', 'x'))).toBe(3);
    expect(exitCodeFor(new PathwiseError('E_HTTP_STATUS', 'x'))).toBe(4);
    expect(exitCodeFor(new PathwiseError('E_SHA256_MISMATCH', 'x'))).toBe(5);
    expect(exitCodeFor(new PathwiseError('E_DISK_FULL', 'x'))).toBe(6);
    expect(exitCodeFor(new PathwiseError('E_CAP_REACHED', 'x'))).toBe(7);
    expect(exitCodeFor(new PathwiseError('E_INTERNAL', 'x'))).toBe(1);
    // A system error that escaped untranslated still has its class; anything else is 1.
    expect(exitCodeFor(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(6);
    expect(exitCodeFor(new Error('a bug'))).toBe(1);
  });

  it('lists each code with the error codes in it in "pathwise --help"', async () => {
    const { stdout } = await cli(['--help']);
    for (const [name, { code }] of Object.entries(EXIT_CLASSES)) {
      expect(stdout).toMatch(new RegExp(`^  ${code} +${name} `, 'm'));
    }
    for (const code of Object.keys(ERROR_CODES).filter((c) => exitClassOf(c) !== 'error')) {
      expect(stdout).toContain(code);
    }
  });

  const on = ['--paths', `a=${A}`];
  it.each([
    ['usage', 2, (_url: string, f: string) => ['get', '-o', f]],
    ['network', 3, (url: string, f: string) => ['get', url, '-o', f, '--paths', 'nope0']],
    ['http', 4, (url: string, f: string) => ['get', url.replace('file.bin', 'nope'), '-o', f, ...on]],
    ['integrity', 5, (url: string, f: string) => ['get', url, '-o', f, ...on, '--sha256', '0'.repeat(64)]],
    ['disk', 6, (url: string, f: string) => ['get', url, '-o', join(f, 'missing', 'f'), ...on]],
    ['cap', 7, (url: string, f: string) => ['get', url, '-o', f, ...on, '--cap', 'a=100k']],
  ] as const)('exits with the %s class’s code, %i, from bin/pathwise', async (_name, code, args) => {
    server = await startRangeServer(content);
    const result = await runPathwise(args(server.url, join(tempDir(), 'f')));
    expect(result.stderr).toMatch(/\[E_[A-Z0-9_]+\]/);
    expect(result.code).toBe(code);
  });
});

describe('pathwise get --quiet', () => {
  it('says nothing when the download succeeds, and only the final line with --json', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const quiet = await runPathwise(['get', server.url, '-o', join(dir, 'a.bin'), '--paths', `a=${A}`, '-q']);
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(sha256(readFileSync(join(dir, 'a.bin')))).toBe(sha256(content));
    const json = await runPathwise([
      'get',
      server.url,
      '-o',
      join(dir, 'b.bin'),
      '--paths',
      `a=${A}`,
      '--quiet',
      '--json',
    ]);
    expect(json.stderr).toBe('');
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ status: 'done', sha256: sha256(content) });
  });

  it('still says what went wrong', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const result = await runPathwise([
      'get',
      server.url.replace('file.bin', 'nope'),
      '-o',
      join(dir, 'x'),
      '--paths',
      `a=${A}`,
      '--quiet',
    ]);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^pathwise: .*404.*\[E_HTTP_STATUS\]\n$/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });
});
