import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runPathwise, SYSTEM_PATH } from '../support/cli.ts';

describe('bin/pathwise', () => {
  it('runs on the project Node even when the system Node is older', async () => {
    const systemNode = execFileSync('node', ['--version'], { env: { PATH: SYSTEM_PATH } })
      .toString()
      .trim();
    const result = await runPathwise(['--version']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The point of the test: it would not matter if the system Node were already 24.
    expect(systemNode).toMatch(/^v\d+/);
  });

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

  it('refuses an unknown option', async () => {
    const result = await runPathwise(['interfaces', '--jsn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--jsn/);
  });
});
