import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';
import { describeNeeding, SKIP_LOG_ENV, skipLine, type Need } from '../support/rootOnly.ts';

/*
 * Root-only test groups (namespaces, mounts) skip where the runner is not root; CI must say so
 * and fail (issue 26). The runner here is root, so this file fakes a machine that is not.
 */

const scratch = mkdtempSync(join(tmpdir(), 'pw-skips-'));
const notRoot: Need = { what: 'root (uid 0)', met: false };
const SKIPPED_TITLE = 'a fake group, for this test: needs root on a runner that is not';

// Collected like any root-only group, with the skip log CI would name in the environment.
const log = join(scratch, 'skips.log');
const saved = process.env[SKIP_LOG_ENV];
process.env[SKIP_LOG_ENV] = log;
try {
  describeNeeding([{ what: 'ip (/usr/sbin/ip)', met: true }, notRoot])(SKIPPED_TITLE, () => {
    it('never runs', () => {
      throw new Error('a root-only group ran on a runner without root');
    });
  });
} finally {
  if (saved === undefined) delete process.env[SKIP_LOG_ENV];
  else process.env[SKIP_LOG_ENV] = saved;
}

let ranWithNeedsMet = false;
const quietLog = join(scratch, 'quiet.log');
describeNeeding([{ what: 'root (uid 0)', met: true }], quietLog)('a group whose needs are met', () => {
  it('runs', () => {
    ranWithNeedsMet = true;
  });
});

/** Runs scripts/skipped-tests.sh on `logFile`: its exit code and last line. */
function summary(logFile: string, env: Record<string, string> = {}): { code: number | null; last: string } {
  const result = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'skipped-tests.sh'), logFile], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { code: result.status, last: result.stdout.trimEnd().split('\n').at(-1) ?? '' };
}

describe('root-only test groups say when they skip', () => {
  it('records a skipped group in the skip log, with what it lacked, and runs one whose needs are met', () => {
    expect(readFileSync(log, 'utf8')).toBe(`${SKIPPED_TITLE}\tneeds root (uid 0)\n`);
    expect(ranWithNeedsMet).toBe(true);
    expect(() => readFileSync(quietLog)).toThrow(/ENOENT/);
  });

  it('fails CI with a last line that counts the skipped groups and says why', () => {
    const other = join(scratch, 'two.log');
    const lines = [
      skipLine(SKIPPED_TITLE, ['root (uid 0)']),
      skipLine('pathwise get on a full disk', ['root (uid 0)', 'unshare (/usr/bin/unshare)']),
      skipLine(SKIPPED_TITLE, ['root (uid 0)']),
    ];
    writeFileSync(other, `${lines.join('\n')}\n`);
    const failed = summary(other);
    expect(failed.code).toBe(1);
    expect(failed.last).toMatch(
      /^2 root-only test groups were skipped: needs root \(uid 0\); needs root \(uid 0\), unshare/,
    );
    const allowed = summary(other, { PATHWISE_ALLOW_SKIPS: '1' });
    expect(allowed.code).toBe(0);
    expect(allowed.last).toMatch(
      /^2 root-only test groups were skipped \(allowed by PATHWISE_ALLOW_SKIPS=1\)/,
    );
    // The log the fake group above wrote gives the same verdict.
    expect(summary(log)).toMatchObject({ code: 1, last: expect.stringMatching(/^1 root-only test groups/) });
  });

  it('passes CI when nothing was skipped', () => {
    const empty = join(scratch, 'empty.log');
    writeFileSync(empty, '');
    expect(summary(empty)).toEqual({ code: 0, last: 'No root-only test group was skipped.' });
    expect(summary(join(scratch, 'never-written.log'))).toMatchObject({ code: 0 });
  });

  it('is wired into CI: .ci/run names the log, runs the tests, then gives the verdict last', () => {
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/export PATHWISE_SKIP_LOG/);
    const commands = ci.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(commands.findIndex((l) => l.includes('npm test'))).toBeGreaterThan(-1);
    expect(commands.at(-2)).toMatch(/^scripts\/skipped-tests\.sh "\$PATHWISE_SKIP_LOG"/);
    expect(commands.at(-1)).toBe('exit "$status"');
  });

  it('leaves no root-only group to a bare skipIf, which would skip silently', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.test\.tsx?$/.test(entry.name)) {
          const text = readFileSync(path, 'utf8');
          if (/getuid|canUseNetns|unshare'\)/.test(text) && /\.(skipIf|runIf)\(/.test(text)) {
            offenders.push(relative(REPO_ROOT, path));
          }
        }
      }
    };
    walk(join(REPO_ROOT, 'test'));
    expect(offenders).toEqual([]);
  });
});
