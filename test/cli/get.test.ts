import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { A, B, tempDir } from '../support/engineLab.ts';
import { PATHWISE_BIN, runPathwise, testEnv, type CliResult } from '../support/cli.ts';
import { selfSignedCert } from '../support/selfSigned.ts';
import { describeNeeding, mountNeeds } from '../support/rootOnly.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 41);
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function lastJson(result: CliResult): Record<string, unknown> {
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

const PATHS = ['--paths', `a=${A},b=${B}`];

describe('pathwise get', () => {
  it('downloads over two paths and ends --json output with the status line', async () => {
    server = await startRangeServer(content);
    const file = join(tempDir(), 'out.bin');
    const started = performance.now();
    const result = await runPathwise(['get', server.url, '-o', file, '--json', ...PATHS]);
    const wallMs = performance.now() - started;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const final = lines.at(-1) as {
      status: string;
      bytes: number;
      sha256: string;
      durationMs: number;
      paths: Record<string, { bytes: number }>;
    };
    expect(final).toMatchObject({ status: 'done', bytes: SIZE, sha256: sha256(content) });
    // The download's own time, in whole ms: some, and no more than the whole command took around it.
    expect(Number.isInteger(final.durationMs)).toBe(true);
    expect(final.durationMs).toBeGreaterThan(0);
    expect(final.durationMs).toBeLessThanOrEqual(Math.ceil(wallMs));
    expect(final.paths['a']!.bytes + final.paths['b']!.bytes).toBe(SIZE);
    expect(lines.some((l) => l['type'] === 'state' && l['state'] === 'running')).toBe(true);
    expect(readFileSync(file).equals(content)).toBe(true);
  });

  it('saves in the folder -o names, under the server-side name', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const result = await runPathwise(['get', server.url, '-o', dir, '--json', ...PATHS]);
    expect(result.code).toBe(0);
    expect(lastJson(result)).toMatchObject({ status: 'done', file: join(dir, 'file.bin') });
    expect(readFileSync(join(dir, 'file.bin')).equals(content)).toBe(true);
  });

  it('prints a human summary without --json and saves under the server-side name', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const result = await new Promise<CliResult>((resolve) => {
      execFile(PATHWISE_BIN, ['get', server!.url], { cwd: dir, env: testEnv() }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`sha256 ${sha256(content)}`);
    expect(readFileSync(join(dir, 'file.bin')).equals(content)).toBe(true);
  });
});

describe('pathwise get when the download fails', () => {
  it('fails with the HTTP status named, exit 4 (HTTP) and a JSON failure line', async () => {
    server = await startRangeServer(content);
    const result = await runPathwise([
      'get',
      server.url.replace('file.bin', 'nope'),
      '-o',
      join(tempDir(), 'x'),
      '--json',
      ...PATHS,
    ]);
    expect(result.code).toBe(4); // exit code: http
    expect(lastJson(result)).toMatchObject({ status: 'failed', error: { code: 'E_HTTP_STATUS' } });
    expect(result.stderr).toMatch(/404 Not Found.*\[E_HTTP_STATUS\]/);
  });

  it('names a refused connection', async () => {
    server = await startRangeServer(content);
    const url = server.url;
    await server.close();
    server = undefined;
    const result = await runPathwise(['get', url, '-o', join(tempDir(), 'x'), ...PATHS]);
    expect(result.code).toBe(3); // exit code: network
    expect(result.stderr).toMatch(/refused the connection.*\[E_REFUSED\]/);
  });

  it('stops at a cap with E_CAP_REACHED, keeps the part, and resumes without the cap', async () => {
    server = await startRangeServer(content);
    const file = join(tempDir(), 'capped.bin');
    const capped = await runPathwise([
      'get',
      server.url,
      '-o',
      file,
      '--json',
      '--paths',
      `a=${A}`,
      '--cap',
      'a=500k',
    ]);
    expect(capped.code).toBe(7); // exit code: cap
    expect(lastJson(capped)).toMatchObject({ status: 'failed', error: { code: 'E_CAP_REACHED' } });
    expect((lastJson(capped)['paths'] as Record<string, { bytes: number }>)['a']!.bytes).toBeLessThanOrEqual(
      500_000,
    );
    expect(capped.stderr).toMatch(/kept in .*capped\.bin\.part/);
    const resumed = await runPathwise(['get', server.url, '-o', file, '--json', '--paths', `a=${A}`]);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed)).toMatchObject({
      status: 'done',
      resumedBytes: 500_000,
      sha256: sha256(content),
    });
  });
});

describe('pathwise get checks what it is asked before it starts', () => {
  it('says a missing folder is missing before it asks the server anything', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    for (const output of [join(dir, 'nope', 'f.bin'), `${join(dir, 'nope')}/`]) {
      const result = await runPathwise(['get', server.url, '-o', output, ...PATHS]);
      expect(result.code).toBe(6); // exit code: disk
      expect(result.stderr).toBe(
        `pathwise: The folder ${join(dir, 'nope')} does not exist. Create it, or choose another place to save. [E_DISK]\n`,
      );
    }
    expect(server.requests).toHaveLength(0);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('refuses to overwrite an existing file', async () => {
    server = await startRangeServer(content);
    const file = join(tempDir(), 'mine.txt');
    writeFileSync(file, 'keep me');
    const result = await runPathwise(['get', server.url, '-o', file, ...PATHS]);
    expect(result.code).toBe(6); // exit code: disk
    expect(result.stderr).toContain('E_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it.each([
    [['get'], /Give a URL \(further URLs of the same file are its mirrors\), or a Metalink file/],
    [['get', 'ftp://x/y'], /not an http/],
    [['get', 'http://x/y', '--mode', 'turbo'], /--mode must be/],
    [['get', 'http://x/y', '--cap', 'wwan0'], /PATH=SIZE/],
    [['get', 'http://x/y', '--sha256', 'abc'], /64 hexadecimal/],
    [['get', 'http://x/y', '--paths', 'a=notanip'], /NAME=ADDRESS/],
  ])('rejects bad usage %j with exit code 2', async (args, message) => {
    const result = await runPathwise(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    // The code ends the message's line; the usage follows.
    expect(result.stderr.split('\n')[0]).toMatch(/\. \[E_USAGE\]$/);
    expect(result.stderr).toContain('\n\nUsage: pathwise get URL');
  });

  it('names interfaces that are not on this machine instead of calling them down', async () => {
    const result = await runPathwise(['get', 'http://127.0.0.1:1/f', '--paths', 'nope0,nope1']);
    expect(result.code).toBe(3); // exit code: network
    expect(result.stderr).toMatch(/no interface named nope0 or nope1 \(it has [^)]*\blo\b[^)]*\)/);
    expect(result.stderr).toContain('[E_NO_PATH]');
    // One of several missing: the download goes ahead without it, and says so.
    const some = await runPathwise(['get', 'http://127.0.0.1:1/f', '--paths', 'nope0,lo']);
    expect(some.stderr).toContain(
      'pathwise: nope0 is not on this machine now; the download starts without it',
    );
    expect(some.stderr).toContain('[E_REFUSED]');
  });

  it('shows its help', async () => {
    const result = await runPathwise(['get', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--sha256');
  });
});

describe('pathwise get over HTTPS', () => {
  let tls: { key: string; cert: string; certFile: string };
  beforeAll(() => {
    tls = selfSignedCert('127.0.0.1', 'IP:127.0.0.1');
  });

  it('names an untrusted certificate as a TLS error', async () => {
    server = await startRangeServer(content, { tls: { key: tls.key, cert: tls.cert } });
    const result = await runPathwise(['get', server.url, '-o', join(tempDir(), 'x'), ...PATHS]);
    expect(result.code).toBe(3); // exit code: network
    expect(result.stderr).toMatch(/secure connection.*\[E_TLS\]/);
  });

  it('downloads when the certificate is trusted', async () => {
    server = await startRangeServer(content, { tls: { key: tls.key, cert: tls.cert } });
    const file = join(tempDir(), 'secure.bin');
    const result = await runPathwise(['get', server.url, '-o', file, '--json', ...PATHS], {
      env: { NODE_EXTRA_CA_CERTS: tls.certFile },
    });
    expect(result.code).toBe(0);
    expect(lastJson(result)).toMatchObject({ status: 'done', sha256: sha256(content) });
  });
});

describeNeeding(mountNeeds())('pathwise get on a full disk', () => {
  // Each run gets a private mount namespace with a 1 MB tmpfs: nothing is left mounted afterwards.
  const inSmallDisk = (dir: string, args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const script = `mount -t tmpfs -o size=1m tmpfs "$0" && exec "$@"`;
      execFile(
        'unshare',
        ['-m', '--propagation', 'private', 'sh', '-c', script, dir, PATHWISE_BIN, ...args],
        { env: testEnv() },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  afterAll(() => undefined);

  it('says the disk is full before starting when the size is known', async () => {
    server = await startRangeServer(content);
    const dir = tempDir();
    const result = await inSmallDisk(dir, ['get', server.url, '-o', join(dir, 'f.bin'), ...PATHS]);
    expect(result.code).toBe(6); // exit code: disk
    expect(result.stderr).toMatch(/Not enough disk space.*\[E_DISK_FULL\]/);
  });

  it('says the disk is full when it fills up while writing', async () => {
    server = await startRangeServer(content, { behaviour: { ranges: false, chunked: true } });
    const dir = tempDir();
    const result = await inSmallDisk(dir, ['get', server.url, '-o', join(dir, 'f.bin'), '--json', ...PATHS]);
    expect(result.code).toBe(6); // exit code: disk
    expect(lastJson(result)).toMatchObject({ status: 'failed', error: { code: 'E_DISK_FULL' } });
    expect(result.stderr).toMatch(/disk is full/);
  });
});
