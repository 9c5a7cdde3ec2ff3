/**
 * `pathwise sync edit`: a job's options changed from the command line, `off` unsetting what may be
 * unset; another folder pair starts a fresh journal (so the next run, against rclone, deletes
 * nothing), and is refused while another process runs the job.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SyncJobs } from '../../main/sync/SyncJobs.ts';
import { cli } from '../cli/inProcess.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import { rcloneNeeds, session, startDav, tempDir, treeHashes, USER, write } from './davLab.ts';

async function added(data: string, local: string, remote = 'https://cloud.example/dav/docs/'): Promise<void> {
  const out = await cli([
    ...['sync', 'add', 'docs', '--local', local, '--remote', remote, '--user', USER],
    ...['--every', '15m', '--rate', '2MB/s', '--paths', 'wlan0', '--battery-min', '20'],
    ...['--on-path-change', '--password-env', 'PW_DOCS', '--data-dir', data],
  ]);
  expect(out.code, out.stderr).toBe(0);
}

describe('pathwise sync edit', () => {
  it('changes only the options given, and "off" unsets the schedule, the rate, the paths and the floor', async () => {
    const data = tempDir('pw-sync-data-');
    await added(data, tempDir());
    const dd = ['--data-dir', data];
    const edited = await cli([
      ...['sync', 'edit', 'docs', '--every', 'off', '--rate', 'off', '--paths', 'off'],
      ...['--battery-min', 'off', '--no-on-path-change', '--policy', 'cellular:50MB', '--json', ...dd],
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toMatchObject({
      name: 'docs',
      user: USER,
      password: { env: 'PW_DOCS' },
      everyMinutes: null,
      rateBps: null,
      paths: null,
      batteryMinPercent: null,
      onPathChange: false,
      policy: { kind: 'cellular', meteredBytes: 50_000_000 },
      freshJournal: false,
    });
    const text = await cli(['sync', 'edit', 'docs', '--every', '1h', '--paths', 'eth0,wlan0', ...dd]);
    expect(text.stdout).toMatch(/^Changed sync job docs: .* ⇄ https:\/\/cloud\.example\/dav\/docs\/\.\n$/);
    expect(new SyncJobs(data).get('docs')).toMatchObject({ everyMinutes: 60, paths: ['eth0', 'wlan0'] });
  });

  it('refuses nothing to change, a missing folder, a URL with a login, and a job another process runs', async () => {
    const data = tempDir('pw-sync-data-');
    await added(data, tempDir());
    const dd = ['--data-dir', data];
    const edit = async (...args: string[]) => cli(['sync', 'edit', 'docs', ...args, ...dd]);
    expect((await edit()).stderr).toMatch(/needs at least one option to change.*\[E_USAGE\]/s);
    expect((await edit('--local', '/no/such/folder')).stderr).toMatch(/does not exist.*\[E_DISK\]/s);
    expect((await edit('--remote', 'https://me:pw@cloud.example/')).stderr).toMatch(/without a user/);
    // A run of another live process (the app, or `pathwise sync run`) holds the job's lock.
    const journal = new SyncJobs(data).journalDir('docs');
    mkdirSync(journal, { recursive: true });
    writeFileSync(join(journal, 'run.lock'), String(process.ppid));
    const busy = await edit('--local', tempDir());
    expect(busy.stderr).toMatch(/running already.*\[E_BUSY\]/s);
    expect(readFileSync(join(data, 'syncs', 'jobs.json'), 'utf8')).toContain('"everyMinutes": 15');
    // Other options may change while it runs (its next run takes them).
    expect((await edit('--every', '30m')).code).toBe(0);
  });
});

describe('pathwise sync edit and a password the app kept', () => {
  it('removes the 0600 file the app kept it in when the job takes its password from elsewhere', async () => {
    const data = tempDir('pw-sync-data-');
    await added(data, tempDir());
    // Given to a Pathwise without a keyring: kept in a file, and the job says why.
    const kept = await new SyncJobs(data).setPassword('docs', 'typed-once');
    expect(kept.password).toMatchObject({ because: expect.stringMatching(/no system keyring/) });
    const file = join(data, 'syncs', 'docs.password');
    expect(readFileSync(file, 'utf8')).toBe('typed-once');
    const out = await cli([
      'sync',
      'edit',
      'docs',
      '--password-env',
      'PW_DOCS',
      '--json',
      '--data-dir',
      data,
    ]);
    expect(JSON.parse(out.stdout)).toMatchObject({ password: { env: 'PW_DOCS' } });
    expect(existsSync(file)).toBe(false);
    expect(out.stdout).not.toContain('typed-once');
  });
});

describeNeeding(rcloneNeeds())('pathwise sync edit and the journal, against rclone serve webdav', () => {
  it('starts a fresh journal for another local folder: the next run fills it and deletes nothing', async () => {
    const dav = await startDav();
    try {
      const data = tempDir('pw-sync-data-');
      const first = tempDir();
      const remote = join(dav.root, 'data');
      for (const name of ['a.txt', 'b.txt', 'c/d.txt']) write(first, name, name);
      mkdirSync(join(first, 'empty'));
      await added(data, first, dav.url);
      const jobs = new SyncJobs(data);
      const run = async () => {
        const s = session({ ...jobs.get('docs'), paths: null }, jobs.journalDir('docs'));
        return s.run().finally(() => s.close());
      };
      expect(await run()).toMatchObject({ converged: true, uploaded: 3 });
      const before = treeHashes(remote);

      const second = tempDir();
      write(second, 'new.txt', 'only here');
      const edited = await cli(['sync', 'edit', 'docs', '--local', second, '--json', '--data-dir', data]);
      expect(JSON.parse(edited.stdout)).toMatchObject({ local: second, freshJournal: true });
      const out = await run();
      expect(out).toMatchObject({ converged: true, deleted: 0, uploaded: 1, downloaded: 3 });
      expect(treeHashes(second)).toEqual({ ...before, 'new.txt': treeHashes(second)['new.txt'] });
      expect(treeHashes(remote)).toEqual(treeHashes(second));
      expect(treeHashes(first)).toEqual(before);
    } finally {
      await dav.close();
    }
  });
});
