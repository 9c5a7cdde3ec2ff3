import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runPathwise, SYSTEM_PATH } from '../support/cli.ts';

/** The major version of a Node version string ("v20.19.2", "24.21.0"). */
function major(version: string): number {
  return Number(/^v?(\d+)\./.exec(version.trim())?.[1] ?? Number.NaN);
}

/** The Node version node_modules/node pins (package.json's devDependency): the one bin/pathwise must run on. */
function pinnedNode(): string {
  const file = join(REPO_ROOT, 'node_modules', 'node', 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * A PATH whose `node` is older than `pinned`: the system's, or else (a developer's system Node
 * may well be 24 already) an old one put first.
 */
function olderNodePath(dir: string, pinned: string): string {
  const systemNode = execFileSync('node', ['--version'], { env: { PATH: SYSTEM_PATH } }).toString();
  if (major(systemNode) < major(pinned)) return SYSTEM_PATH;
  mkdirSync(join(dir, 'old'));
  writeFileSync(join(dir, 'old', 'node'), '#!/bin/sh\necho v20.0.0\n', { mode: 0o755 });
  return `${join(dir, 'old')}:${SYSTEM_PATH}`;
}

describe('bin/pathwise on the pinned Node', () => {
  it('runs on the project Node even when the system Node is older', async () => {
    const pinned = pinnedNode();
    expect(major(pinned)).toBe(24);
    const dir = mkdtempSync(join(tmpdir(), 'pw-node-'));
    const path = olderNodePath(dir, pinned);
    expect(major(execFileSync('node', ['--version'], { env: { PATH: path } }).toString())).toBeLessThan(
      major(pinned),
    );
    // Every Node process bin/pathwise starts writes down which version it is.
    const report = join(dir, 'node-versions');
    const hook = join(dir, 'report.cjs');
    writeFileSync(
      hook,
      `require('node:fs').appendFileSync(${JSON.stringify(report)}, process.versions.node + '\\n');\n`,
    );
    const result = await runPathwise(['--version'], {
      env: { PATH: path, NODE_OPTIONS: `--require=${hook}` },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(readFileSync(report, 'utf8').trim().split('\n'))).toEqual(new Set([pinned]));
  });
});

describe('bin/pathwise', () => {
  it('prints help that lists the commands', async () => {
    const result = await runPathwise(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('interfaces');
    expect(result.stdout).toContain('serve');
  });

  it('lists this machine’s interfaces as JSON, including loopback', async () => {
    const result = await runPathwise(['interfaces', '--json']);
    expect(result.code).toBe(0);
    const paths = JSON.parse(result.stdout) as Array<{
      name: string;
      type: string;
      up: boolean;
      addresses: string[];
    }>;
    const lo = paths.find((p) => p.name === 'lo');
    expect(lo).toMatchObject({ type: 'loopback', up: true });
    expect(lo?.addresses).toContain('127.0.0.1');
  });

  it('refuses an unknown command with a usage error and exit code 2', async () => {
    const result = await runPathwise(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
    expect(result.stderr).toContain('E_USAGE');
  });

  it('refuses an unknown option as a usage error that points to the help', async () => {
    const result = await runPathwise(['interfaces', '--jsn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'pathwise: Unknown option --jsn. Run "pathwise interfaces --help" for its options. [E_USAGE]\n',
    );
    const get = await runPathwise(['get', 'http://127.0.0.1:1/f', '--frobnicate']);
    expect(get.code).toBe(2);
    expect(get.stderr).toContain('Unknown option --frobnicate. Run "pathwise get --help"');
    const missing = await runPathwise(['get', 'http://127.0.0.1:1/f', '-o']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--output <value>' argument missing\..*\[E_USAGE\]/);
  });

  it('routes usage history and its mistakes through the binary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-cli-usage-'));
    const days = await runPathwise(['usage', '--days', '--data-dir', dir]);
    expect(days.stderr).toBe('');
    expect(days.code).toBe(0);
    const csv = await runPathwise(['usage', '--months', '--export', 'csv', '--data-dir', dir]);
    expect(csv.stdout.split('\n')[0]).toBe(
      'path,label,start,end,appBytes,allBytes,estimatedBytes,adjustedBytes,cost,currency',
    );
    const both = await runPathwise(['usage', '--days', '--months', '--data-dir', dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Pick one of --days, --months and --cycles.');
    const unknown = await runPathwise(['usage', '--weeks', '--data-dir', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown option --weeks. Run "pathwise usage --help"');
  });

  it.each(['interfaces', 'watch', 'usage', 'serve'])('answers "%s --help" with the help', async (command) => {
    const result = await runPathwise([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${command} [`);
    expect(result.stderr).toBe('');
  });
});
