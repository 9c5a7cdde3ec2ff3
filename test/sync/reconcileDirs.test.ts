import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../../main/sync/localScan.ts';
import { deleteShare, reconcile, tooManyDeletes } from '../../main/sync/reconcile.ts';
import type { JournalEntry } from '../../main/sync/SyncJournal.ts';
import type { RemoteFile } from '../../main/sync/WebDavClient.ts';

const l: LocalFile = { size: 1, mtimeMs: 1000 };
const r: RemoteFile = { size: 1, etag: 'e1', mtimeMs: 2000 };
const J = (path: string): JournalEntry => ({
  path,
  localSize: l.size,
  localMtimeMs: l.mtimeMs,
  remoteEtag: r.etag,
  remoteSize: r.size,
  remoteMtimeMs: r.mtimeMs,
  syncedAt: 0,
});

interface Side {
  files?: string[];
  dirs?: string[];
}

/** A plan from both sides' files and folders and the journal's (its files in step as l/r). */
function plan(local: Side, remote: Side, journal: Side = {}, busy: string[] = []) {
  return reconcile({
    local: new Map((local.files ?? []).map((p) => [p, l])),
    remote: new Map((remote.files ?? []).map((p) => [p, r])),
    journal: new Map((journal.files ?? []).map((p) => [p, J(p)])),
    busy: new Set(busy),
    localDirs: new Set(local.dirs),
    remoteDirs: new Set(remote.dirs),
    journalDirs: new Set(journal.dirs),
  });
}

const steps = (p: ReturnType<typeof plan>) =>
  p.actions.map((a) =>
    a.kind === 'deleteRemoteDir'
      ? `${a.kind} ${a.path} [${[...a.files, ...a.dirs].join(' ')}]`
      : `${a.kind} ${a.path}`,
  );

describe('reconcile: folders, so that empty ones are synced too', () => {
  it('makes a new empty folder on the other side; one a copied file lands in needs no request', () => {
    const p = plan(
      { dirs: ['both', 'empty', 'empty/deeper', 'full'], files: ['full/a.txt'] },
      { dirs: ['theirs', 'both'] },
    );
    expect(steps(p)).toEqual(['upload full/a.txt', 'mkdirRemote empty/deeper', 'mkdirLocal theirs']);
    expect(p.dirs.inStep).toEqual(['both']);
    expect(p.deletes).toBe(0);
  });

  it('removes a known folder the other side removed when nothing in it stays: files first, then the folder', () => {
    const journal = { dirs: ['gone', 'gone/sub', 'gone/sub/leaf', 'kept'], files: ['gone/sub/x.txt'] };
    const remoteRemoved = plan({ dirs: journal.dirs, files: journal.files }, { dirs: ['kept'] }, journal);
    expect(steps(remoteRemoved)).toEqual([
      'deleteLocal gone/sub/x.txt',
      'deleteLocalDir gone/sub/leaf',
      'deleteLocalDir gone/sub',
      'deleteLocalDir gone',
    ]);
    // On the server one MOVE into the trash takes the folder and all it holds.
    const localRemoved = plan({ dirs: ['kept'] }, { dirs: journal.dirs, files: journal.files }, journal);
    expect(steps(localRemoved)).toEqual(['deleteRemoteDir gone [gone/sub/x.txt gone/sub/leaf gone/sub]']);
    for (const p of [remoteRemoved, localRemoved]) {
      expect(p.deletes).toBe(4);
      expect(p.known).toBe(5);
      expect(tooManyDeletes(p, 0.5)).toBe(true);
      // Its one file is all the files there were: as rclone, only "delete everything" lets it by.
      expect(deleteShare(p, 0.9)).toMatchObject({ deletes: 1, known: 1, of: 'files' });
      expect(tooManyDeletes(p, 1)).toBe(false);
    }
  });

  it('judges deleted files against the files alone: a tree’s folders never water the share down', () => {
    const dirs = ['a', 'b', 'c', 'd', 'e', 'f'];
    const journal = { dirs, files: ['a/1', 'b/2', 'c/3', 'd/4'] };
    // Three of four files gone locally, every folder still there: 3 of 10 together, 3 of 4 files.
    const p = plan({ dirs, files: ['d/4'] }, { dirs, files: journal.files }, journal);
    expect(p.deletes).toBe(3);
    expect(tooManyDeletes(p, 0.5)).toBe(true);
    expect(deleteShare(p, 0.5)).toEqual({ deletes: 3, known: 4, of: 'files', share: 0.75 });
    expect(deleteShare(p, 0.8)).toBeNull();
  });

  it('keeps a removed folder when something in it is new or changed, and makes it again', () => {
    const journal = { dirs: ['a', 'b', 'c', 'd'], files: ['b/old.txt'] };
    const p = plan(
      // a: a new empty folder in it; b: a new file in it; c: a file still being written.
      { dirs: ['a', 'a/new', 'b', 'c'], files: ['b/new.txt', 'b/old.txt', 'c/log'] },
      { dirs: ['d', 'd/theirs'] },
      journal,
      ['c/log'],
    );
    expect(steps(p)).toEqual([
      'upload b/new.txt',
      'deleteLocal b/old.txt',
      'mkdirRemote a/new',
      'mkdirRemote c',
      'mkdirLocal d/theirs',
    ]);
    expect(p.waiting).toEqual(['c/log']);
    expect(p.deletes).toBe(1);
  });

  it('forgets a folder neither side has, and leaves folders in step alone', () => {
    const p = plan({ dirs: ['same'] }, { dirs: ['same'] }, { dirs: ['same', 'vanished'] });
    expect(p.actions).toEqual([]);
    expect(p.dirs).toEqual({ inStep: [], gone: ['vanished'] });
  });
});
