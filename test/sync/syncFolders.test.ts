/**
 * Folders against rclone serve webdav on loopback: an empty folder made on either side appears on
 * the other (MKCOL, mkdir); one removed on a side is removed on the other only when nothing in it
 * changed there, into the trash; the delete share counts folders; an old journal learns folders.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SyncJournal } from '../../main/sync/SyncJournal.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import {
  exists,
  failure,
  rcloneNeeds,
  runOnce,
  tempDir,
  treeHashes,
  useDavFixture,
  write,
} from './davLab.ts';

/** Every folder under `root`, the sync's own left out. */
function folders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (!entry.isDirectory() || (!dir && entry.name.startsWith('.pathwise-'))) continue;
      out.push(rel);
      walk(rel);
    }
  };
  walk('');
  return out.sort();
}

/** What a side's trash holds for `relative`, over every run ("dir/" for a folder). */
function inTrash(trash: string, relative: string): string[] {
  if (!exists(trash)) return [];
  return readdirSync(trash).flatMap((stamp) => {
    const full = join(trash, stamp, relative);
    if (!exists(full)) return [];
    const inside = readdirSync(full, { recursive: true, encoding: 'utf8' }).sort();
    return [`${relative}/`, ...inside.map((name) => `${relative}/${name}`)];
  });
}

const LOCAL_TRASH = ['.pathwise-sync', 'trash'];
const REMOTE_TRASH = ['.pathwise-trash'];

describeNeeding(rcloneNeeds())('a sync run against rclone serve webdav: folders', () => {
  const fx = useDavFixture();

  it('makes an empty folder made on either side on the other, and is then in step', async () => {
    mkdirSync(join(fx.local, 'mine/empty/deeper'), { recursive: true });
    mkdirSync(join(fx.remote, 'theirs/also empty'), { recursive: true });
    write(fx.local, 'files/a.txt', 'a');
    const out = await runOnce(fx);
    expect(out).toMatchObject({ converged: true, uploaded: 1, folders: 2 });
    const both = ['files', 'mine', 'mine/empty', 'mine/empty/deeper', 'theirs', 'theirs/also empty'];
    expect(folders(fx.local)).toEqual(both);
    expect(folders(fx.remote)).toEqual(both);
    expect(await runOnce(fx)).toMatchObject({ converged: true, rounds: 1, folders: 0, deleted: 0 });
  });

  it('removes a folder removed on one side from the other, into the trash, both ways', async () => {
    for (const dir of ['gone-here/sub', 'gone-there', 'stays'])
      mkdirSync(join(fx.local, dir), { recursive: true });
    write(fx.local, 'gone-here/sub/x.txt', 'x');
    write(fx.local, 'gone-there/y.txt', 'y');
    expect(await runOnce(fx)).toMatchObject({ converged: true });
    rmSync(join(fx.local, 'gone-here'), { recursive: true });
    rmSync(join(fx.remote, 'gone-there'), { recursive: true });
    const out = await runOnce(fx, { maxDeleteShare: 1 });
    expect(out).toMatchObject({ converged: true, deleted: 5 });
    expect(folders(fx.local)).toEqual(['stays']);
    expect(folders(fx.remote)).toEqual(['stays']);
    expect(inTrash(join(fx.remote, ...REMOTE_TRASH), 'gone-here')).toEqual([
      'gone-here/',
      'gone-here/sub',
      'gone-here/sub/x.txt',
    ]);
    expect(inTrash(join(fx.local, ...LOCAL_TRASH), 'gone-there')).toEqual([
      'gone-there/',
      'gone-there/y.txt',
    ]);
    expect(await runOnce(fx)).toMatchObject({ converged: true, rounds: 1, deleted: 0, folders: 0 });
  });

  it('keeps a folder removed on one side when something in it changed on the other, and makes it again', async () => {
    for (const dir of ['kept-file', 'kept-folder', 'kept-local']) mkdirSync(join(fx.local, dir));
    write(fx.local, 'kept-local/old.txt', 'old');
    expect(await runOnce(fx)).toMatchObject({ converged: true });
    rmSync(join(fx.remote, 'kept-file'), { recursive: true });
    rmSync(join(fx.remote, 'kept-local'), { recursive: true });
    rmSync(join(fx.local, 'kept-folder'), { recursive: true });
    write(fx.local, 'kept-file/new.txt', 'new here');
    write(fx.local, 'kept-local/old.txt', 'changed here', new Date(Date.now() - 20_000));
    mkdirSync(join(fx.remote, 'kept-folder/new there'));
    const out = await runOnce(fx, { maxDeleteShare: 1 });
    expect(out).toMatchObject({ converged: true, deleted: 0 });
    const all = ['kept-file', 'kept-folder', 'kept-folder/new there', 'kept-local'];
    expect(folders(fx.local)).toEqual(all);
    expect(folders(fx.remote)).toEqual(all);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });

  it('counts folders in the delete share: a run removing too many stops, changing nothing, until forced', async () => {
    for (const dir of ['a', 'b', 'c', 'd']) mkdirSync(join(fx.local, dir));
    expect(await runOnce(fx)).toMatchObject({ converged: true, folders: 4 });
    for (const dir of ['a', 'b', 'c']) rmSync(join(fx.local, dir), { recursive: true });
    const error = await failure(runOnce(fx));
    expect(error.code).toBe('E_SYNC_DELETES');
    expect(error.message).toMatch(/3 of 4 files and folders/);
    expect(folders(fx.remote)).toEqual(['a', 'b', 'c', 'd']);
    const forced = await runOnce(fx, {}, { settings: { quietMs: 200, force: true } });
    expect(forced).toMatchObject({ converged: true, deleted: 3 });
    expect(folders(fx.remote)).toEqual(['d']);
  });
});

describe('a sync journal from before folders were synced', () => {
  it('learns the folders of the files it knew, as in step', () => {
    const dir = tempDir('pw-journal-');
    const db = new DatabaseSync(join(dir, 'journal.sqlite'));
    db.exec(`CREATE TABLE files (path TEXT PRIMARY KEY, l_size INTEGER NOT NULL, l_mtime REAL NOT NULL,
      r_etag TEXT, r_size INTEGER NOT NULL, r_mtime REAL, synced_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE usage (path TEXT NOT NULL, day INTEGER NOT NULL, rx INTEGER NOT NULL DEFAULT 0,
      tx INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (path, day)) WITHOUT ROWID;
      CREATE TABLE runs (started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, ok INTEGER NOT NULL,
      error_code TEXT, error_message TEXT, uploaded INTEGER NOT NULL, downloaded INTEGER NOT NULL,
      deleted INTEGER NOT NULL, conflicts TEXT NOT NULL);
      INSERT INTO files VALUES ('a/b/c.txt', 1, 1, 'e', 1, 1, 1), ('top.txt', 1, 1, 'e', 1, 1, 1);
      PRAGMA user_version = 1;`);
    db.close();
    const journal = new SyncJournal(dir);
    try {
      expect(journal.warning).toBeNull();
      expect([...journal.dirs()].sort()).toEqual(['a', 'a/b']);
      expect(journal.entries().size).toBe(2);
    } finally {
      journal.close();
    }
  });
});
