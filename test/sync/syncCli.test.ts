import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/main.ts';
import { syncProgressLine } from '../../main/cli/sync.ts';
import { cli } from '../cli/inProcess.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import { PASSWORD, rcloneNeeds, startDav, tempDir, treeHashes, USER, write } from './davLab.ts';

describe('pathwise sync: the jobs', () => {
  it('adds, lists, pauses, resumes and removes a job; the password is only referred to', async () => {
    const data = tempDir('pw-sync-data-');
    const local = tempDir();
    const secret = join(tempDir(), 'pw.txt');
    writeFileSync(secret, 'hunter2-very-secret\n');
    const dd = ['--data-dir', data];
    const added = await cli([
      ...['sync', 'add', 'docs', '--local', local, '--remote', 'https://cloud.example/dav/docs/'],
      ...['--user', 'me', '--password-file', secret, '--policy', 'cellular:100MB', '--every', '15m'],
      ...['--rate', '2MB/s', '--max-delete', '30', '--json', ...dd],
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      name: 'docs',
      local,
      policy: { kind: 'cellular', meteredBytes: 100_000_000 },
      everyMinutes: 15,
      rateBps: 2_000_000,
      maxDeleteShare: 0.3,
      password: { file: secret },
    });
    expect(readFileSync(join(data, 'syncs', 'jobs.json'), 'utf8')).not.toContain('hunter2');
    const again = await cli([
      'sync',
      'add',
      'docs',
      '--local',
      local,
      '--remote',
      'https://x.example/',
      ...dd,
    ]);
    expect(again.stderr).toMatch(/exists already.*\[E_EXISTS\]/);

    expect((await cli(['sync', 'pause', 'docs', ...dd])).stdout).toMatch(/is paused/);
    expect((await cli(['sync', 'run', 'docs', ...dd])).stderr).toMatch(/paused.*\[E_BUSY\]/);
    expect((await cli(['sync', 'list', ...dd])).stdout).toMatch(/^docs {2}paused/);
    expect((await cli(['sync', 'resume', 'docs', ...dd])).stdout).toMatch(/is active/);
    const status = await cli(['sync', 'status', 'docs', '--json', ...dd]);
    expect(JSON.parse(status.stdout)).toMatchObject({ job: { name: 'docs', paused: false }, lastRun: null });
    expect((await cli(['sync', 'remove', 'docs', ...dd])).code).toBe(0);
    expect(JSON.parse((await cli(['sync', 'list', '--json', ...dd])).stdout)).toEqual([]);
  });

  it('refuses what it cannot use, as usage errors that point at the help', async () => {
    const dd = ['--data-dir', tempDir('pw-sync-data-')];
    const local = tempDir();
    const bad = async (...args: string[]) => (await cli(['sync', ...args, ...dd])).stderr;
    expect(await bad('frobnicate')).toMatch(/ACTION takes add, list.*\[E_USAGE\]/s);
    expect(await bad('add', 'x')).toMatch(/needs --local DIR and --remote URL/);
    expect(await bad('add', 'x', '--local', local, '--remote', 'ftp://h/')).toMatch(/http or https URL/);
    expect(
      await bad('add', 'x', '--local', local, '--remote', 'http://h/', '--policy', 'cellular:lots'),
    ).toMatch(/--policy takes/);
    expect(await bad('add', 'a/b', '--local', local, '--remote', 'http://h/')).toMatch(/A job's name/);
    expect(await bad('run', 'nope')).toMatch(/no sync job "nope".*\[E_NOT_FOUND\]/s);
  });
});

describe('the progress line of pathwise sync run', () => {
  it('says the files handled, the bytes both ways and the split by path', () => {
    const line = syncProgressLine('docs', {
      startedAt: 0,
      round: 1,
      phase: 'moving',
      filesTotal: 40,
      filesDone: 12,
      bytes: {
        wlan0: { up: 2_000_000, down: 30_000_000 },
        wwan0: { up: 0, down: 12_000_000 },
        eth0: { up: 0, down: 0 },
      },
    });
    expect(line).toBe('docs: 12/40 files  ↓ 42.0 MB ↑ 2.0 MB  wlan0 32.0 MB · wwan0 12.0 MB');
    expect(
      syncProgressLine('docs', {
        startedAt: 0,
        round: 1,
        phase: 'listing',
        filesTotal: 0,
        filesDone: 0,
        bytes: {},
      }),
    ).toBe('docs: comparing both sides  ↓ 0 B ↑ 0 B');
  });
});

describeNeeding(rcloneNeeds())('pathwise sync run on a terminal', () => {
  it('draws a progress line on stderr, clears it for the report, and never shows the password', async () => {
    const dav = await startDav();
    const data = tempDir('pw-sync-data-');
    const local = tempDir();
    try {
      write(local, 'a.txt', 'a');
      write(join(dav.root, 'data'), 'b.bin', Buffer.alloc(1_000_000, 1));
      const secret = join(tempDir(), 'pw');
      writeFileSync(secret, `${PASSWORD}\n`);
      const dd = ['--data-dir', data];
      const added = await cli([
        ...['sync', 'add', 'docs', '--local', local, '--remote', dav.url, '--user', USER],
        ...['--password-file', secret, '--policy', 'any', '--paths', 'lo', ...dd],
      ]);
      expect(added.code, added.stderr).toBe(0);
      const stdout = new PassThrough();
      const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
      const out: string[] = [];
      const err: string[] = [];
      stdout.on('data', (c: Buffer) => out.push(c.toString()));
      stderr.on('data', (c: Buffer) => err.push(c.toString()));
      const code = await runCli(['sync', 'run', 'docs', ...dd], { stdout, stderr });
      expect(code, err.join('')).toBe(0);
      const lines = err
        .join('')
        .split('\r\x1b[K')
        .filter((l) => l.startsWith('docs: '));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(/^docs: 2\/2 files {2}↓ 1\.0 MB ↑ \d+ B {2}lo /);
      expect(err.join('').endsWith('\r\x1b[K')).toBe(true);
      expect(out.join('')).toMatch(/^docs: in step after \d rounds? in .*: 1 uploaded, 1 downloaded/);
      expect(err.join('') + out.join('')).not.toContain(PASSWORD);
      expect(treeHashes(local)).toEqual(treeHashes(join(dav.root, 'data')));
      const status = await cli(['sync', 'status', 'docs', ...dd]);
      expect(status.stdout).toMatch(/last run .*: in step\n {2}1 uploaded, 1 downloaded, 0 deleted\n/);
      expect(status.stdout).toMatch(/ {2}lo: ↓ 1\.0 MB ↑ .* this cycle/);
    } finally {
      await dav.close();
    }
  });
});
