import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { PathwiseError } from '../../common/errors.ts';
import type { SyncJob } from '../../main/sync/SyncJobs.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import {
  exists,
  makeJob,
  pathInfo,
  rcloneNeeds,
  session,
  startDav,
  tempDir,
  treeHashes,
  write,
  type DavServer,
} from './davLab.ts';

let dav: DavServer;
let remote: string;
let local: string;
let journal: string;

async function sync(change: Partial<SyncJob> = {}, more: Parameters<typeof session>[2] = {}) {
  const s = session(makeJob(local, dav.url, change), journal, more);
  try {
    return await s.run();
  } finally {
    await s.close();
  }
}

async function failure(run: Promise<unknown>): Promise<PathwiseError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PathwiseError);
  return error as PathwiseError;
}

function trashed(root: string, dir: string, name: string): string[] {
  const base = join(root, dir);
  if (!exists(base)) return [];
  return readdirSync(base).flatMap((stamp) =>
    exists(join(base, stamp, name)) ? [readFileSync(join(base, stamp, name), 'utf8')] : [],
  );
}

/** Starts rclone once per group; each test gets empty folders on both sides and no faults. */
function useDav(): void {
  beforeAll(async () => {
    dav = await startDav();
    remote = join(dav.root, 'data');
  });
  afterAll(async () => dav?.close());
  beforeEach(() => {
    rmSync(remote, { recursive: true, force: true });
    write(dav.root, 'data/.keep', '');
    rmSync(join(remote, '.keep'));
    local = tempDir();
    journal = tempDir('pw-journal-');
    dav.rules.length = 0;
  });
}

describeNeeding(rcloneNeeds())(
  'a sync run against rclone serve webdav on loopback: copies, changes and conflicts',
  () => {
    useDav();

    it('copies new files both ways, then carries changes from the side they happened on', async () => {
      write(local, 'notes.txt', 'local v1');
      write(local, 'deep/er/file with spaces & ü.txt', 'x'.repeat(70_000));
      write(remote, 'photos/big.bin', Buffer.alloc(5_000_000, 3));
      const first = await sync();
      expect(first).toMatchObject({ converged: true, uploaded: 2, downloaded: 1, conflicts: [] });
      expect(treeHashes(local)).toEqual(treeHashes(remote));

      write(local, 'notes.txt', 'local v2', new Date(Date.now() - 30_000));
      write(remote, 'photos/big.bin', Buffer.alloc(5_000_001, 4), new Date(Date.now() - 30_000));
      const second = await sync();
      expect(second).toMatchObject({ converged: true, uploaded: 1, downloaded: 1 });
      expect(readFileSync(join(remote, 'notes.txt'), 'utf8')).toBe('local v2');
      expect(treeHashes(local)).toEqual(treeHashes(remote));
      // What each side lost is in its trash.
      expect(trashed(remote, '.pathwise-trash', 'notes.txt')).toEqual(['local v1']);
      expect(trashed(local, '.pathwise-sync/trash', 'photos/big.bin')).toHaveLength(1);
      // A third run finds nothing to do.
      expect(await sync()).toMatchObject({ converged: true, rounds: 1, uploaded: 0, downloaded: 0 });
    });

    it('keeps both versions of a file changed on both sides, named by side and time', async () => {
      write(local, 'plan.md', 'base');
      write(local, 'same.txt', 'equal');
      await sync();
      write(local, 'plan.md', 'mine', new Date(Date.now() - 20_000));
      write(remote, 'plan.md', 'theirs!', new Date(Date.now() - 20_000));
      write(local, 'same.txt', 'EQUAL', new Date(Date.now() - 20_000));
      write(remote, 'same.txt', 'EQUAL', new Date(Date.now() - 10_000));
      const out = await sync();
      expect(out.converged).toBe(true);
      expect(out.conflicts).toHaveLength(1);
      const copy = out.conflicts[0] as string;
      expect(copy).toMatch(/^plan \(conflict local \d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\)\.md$/);
      expect(readFileSync(join(local, 'plan.md'), 'utf8')).toBe('theirs!');
      expect(readFileSync(join(remote, copy), 'utf8')).toBe('mine');
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });
  },
);

describeNeeding(rcloneNeeds())(
  'a sync run against rclone serve webdav on loopback: deletions and the delete share',
  () => {
    useDav();

    it('propagates a deletion into the trash only when the other side is unchanged', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) write(local, `${name}.txt`, name);
      await sync();
      rmSync(join(local, 'a.txt'));
      rmSync(join(remote, 'b.txt'));
      rmSync(join(local, 'c.txt'));
      write(remote, 'c.txt', 'changed there', new Date(Date.now() - 20_000));
      const out = await sync();
      expect(out).toMatchObject({ converged: true, deleted: 2 });
      expect(exists(join(remote, 'a.txt'))).toBe(false);
      expect(trashed(remote, '.pathwise-trash', 'a.txt')).toEqual(['a']);
      expect(trashed(local, '.pathwise-sync/trash', 'b.txt')).toEqual(['b']);
      expect(readFileSync(join(local, 'c.txt'), 'utf8')).toBe('changed there');
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });

    it('stops a run that would delete more than the allowed share, changing nothing, until forced', async () => {
      for (const name of ['a', 'b', 'c', 'd']) write(local, `${name}.txt`, name);
      await sync();
      for (const name of ['a', 'b', 'c']) rmSync(join(local, `${name}.txt`));
      write(local, 'new.txt', 'new');
      const error = await failure(sync());
      expect(error.code).toBe('E_SYNC_DELETES');
      expect(error.message).toMatch(/3 of 4 files/);
      expect(Object.keys(treeHashes(remote)).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
      const forced = await sync({}, { settings: { quietMs: 200, force: true } });
      expect(forced).toMatchObject({ converged: true, deleted: 3, uploaded: 1 });
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });
  },
);

describeNeeding(rcloneNeeds())(
  'a sync run against rclone serve webdav on loopback: files being written, server errors, paths',
  () => {
    useDav();

    it('does not upload a file while it is still being written', async () => {
      write(local, 'steady.txt', 'steady');
      const file = join(local, 'growing.log');
      appendFileSync(file, 'start\n');
      const writer = setInterval(() => appendFileSync(file, 'more\n'), 20);
      const during = await sync({}, { settings: { quietMs: 300, maxRounds: 2 } }).finally(() =>
        clearInterval(writer),
      );
      expect(during.converged).toBe(false);
      expect(during.waiting).toEqual(['growing.log']);
      expect(exists(join(remote, 'steady.txt'))).toBe(true);
      expect(exists(join(remote, 'growing.log'))).toBe(false);
      const after = await sync();
      expect(after.converged).toBe(true);
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });

    it('names the cause when the server refuses: quota (507), login (401), a lock (423)', async () => {
      write(local, 'a.txt', 'a');
      write(local, 'locked.txt', 'l');
      dav.rules.push({ method: 'PUT', path: '.*', status: 507 });
      expect((await failure(sync())).code).toBe('E_QUOTA');
      dav.rules.length = 0;
      dav.rules.push({ method: 'PUT', path: 'locked\\.txt$', status: 423 });
      const partial = await sync();
      expect(partial.converged).toBe(false);
      expect(partial.errors.map((e) => [e.path, e.code])).toEqual([['locked.txt', 'E_LOCKED']]);
      expect(exists(join(remote, 'a.txt'))).toBe(true);
      dav.rules.length = 0;
      const wrong = await failure(sync({}, { password: 'wrong' }));
      expect(wrong.code).toBe('E_AUTH');
      expect(wrong.message).not.toContain('wrong');
      expect(await sync()).toMatchObject({ converged: true });
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });

    it('moves a request to the next path when one fails, and never uses a path the policy forbids', async () => {
      write(local, 'up.bin', Buffer.alloc(300_000, 1));
      write(remote, 'down.bin', Buffer.alloc(2_000_000, 2));
      // "dead" binds to an address this machine lacks; "cell" is metered.
      const dead = {
        ...pathInfo('dead', '198.18.254.254'),
        health: { status: 'good' as const, rttMs: 1, checkedAt: 0 },
      };
      const paths = [dead, pathInfo('a', '127.0.0.2'), pathInfo('cell', '127.0.0.3', true)];
      const out = await sync({ policy: { kind: 'unmetered', meteredBytes: null } }, { paths: () => paths });
      expect(out.converged).toBe(true);
      expect(out.bytes['cell']).toBeUndefined();
      expect(out.bytes['a']?.up).toBeGreaterThanOrEqual(300_000);
      expect(out.bytes['a']?.down).toBeGreaterThanOrEqual(2_000_000);
      expect(treeHashes(local)).toEqual(treeHashes(remote));
    });
  },
);
