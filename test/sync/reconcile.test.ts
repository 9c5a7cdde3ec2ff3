import { describe, expect, it } from 'vitest';
import type { LocalFile } from '../../main/sync/localScan.ts';
import { reconcile, tooManyDeletes } from '../../main/sync/reconcile.ts';
import type { JournalEntry } from '../../main/sync/SyncJournal.ts';
import { conflictName, isReserved, stamp, stampTime } from '../../main/sync/syncNames.ts';
import type { RemoteFile } from '../../main/sync/WebDavClient.ts';

const L = (size: number, mtimeMs = 1000): LocalFile => ({ size, mtimeMs });
const R = (size: number, etag: string | null = `e${size}`, mtimeMs: number | null = 2000): RemoteFile => ({
  size,
  etag,
  mtimeMs,
});
const J = (path: string, l: LocalFile, r: RemoteFile): JournalEntry => ({
  path,
  localSize: l.size,
  localMtimeMs: l.mtimeMs,
  remoteEtag: r.etag,
  remoteSize: r.size,
  remoteMtimeMs: r.mtimeMs,
  syncedAt: 0,
});

function plan(
  local: Record<string, LocalFile>,
  remote: Record<string, RemoteFile>,
  journal: JournalEntry[],
  busy: string[] = [],
) {
  return reconcile({
    local: new Map(Object.entries(local)),
    remote: new Map(Object.entries(remote)),
    journal: new Map(journal.map((j) => [j.path, j])),
    busy: new Set(busy),
  });
}

const kinds = (p: ReturnType<typeof plan>) => Object.fromEntries(p.actions.map((a) => [a.path, a.kind]));

describe('reconcile: the two-way rules', () => {
  it('copies new files both ways and treats a file new on both sides as a conflict to check', () => {
    expect(kinds(plan({ a: L(1), both: L(3) }, { b: R(2), both: R(3) }, []))).toEqual({
      a: 'upload',
      b: 'download',
      both: 'conflict',
    });
  });

  it('leaves files in step alone, without reading them', () => {
    const l = L(5);
    const r = R(5);
    expect(plan({ f: l }, { f: r }, [J('f', l, r)]).actions).toEqual([]);
  });

  it('sends a change from the side it happened on; both changed is a conflict', () => {
    const l = L(5);
    const r = R(5);
    const j = [J('up', l, r), J('down', l, r), J('both', l, r)];
    const p = plan(
      { up: L(6, 1001), down: l, both: L(7, 1002) },
      { up: r, down: R(5, 'new'), both: R(9, 'x') },
      j,
    );
    expect(kinds(p)).toEqual({ up: 'upload', down: 'download', both: 'conflict' });
  });

  it('judges the remote side by ETag when there is one, else by size and time', () => {
    const l = L(5);
    expect(plan({ f: l }, { f: R(5, 'same', 9999) }, [J('f', l, R(5, 'same', 1))]).actions).toEqual([]);
    expect(kinds(plan({ f: l }, { f: R(5, null, 9999) }, [J('f', l, R(5, null, 1))]))).toEqual({
      f: 'download',
    });
  });

  it('propagates a deletion only when the other side is unchanged; a change wins over a deletion', () => {
    const l = L(5);
    const r = R(5);
    const j = [
      J('goneHere', l, r),
      J('goneThere', l, r),
      J('goneHereChangedThere', l, r),
      J('goneThereChangedHere', l, r),
      J('goneBoth', l, r),
    ];
    const p = plan(
      { goneThere: l, goneThereChangedHere: L(8, 5000) },
      { goneHere: r, goneHereChangedThere: R(6, 'changed') },
      j,
    );
    expect(kinds(p)).toEqual({
      goneHere: 'deleteRemote',
      goneThere: 'deleteLocal',
      goneHereChangedThere: 'download',
      goneThereChangedHere: 'upload',
      goneBoth: 'forget',
    });
    expect(p.deletes).toBe(2);
  });

  it('leaves a file that is still being written for a later run', () => {
    const p = plan({ growing: L(10), done: L(3) }, {}, [], ['growing']);
    expect(kinds(p)).toEqual({ done: 'upload' });
    expect(p.waiting).toEqual(['growing']);
  });

  it('stops a run that would delete more than the allowed share of the known files', () => {
    const l = L(1);
    const r = R(1);
    const journal = ['a', 'b', 'c', 'd'].map((n) => J(n, l, r));
    const three = plan({ d: l }, { a: r, b: r, c: r, d: r }, journal);
    expect(three.deletes).toBe(3);
    expect(tooManyDeletes(three, 0.5)).toBe(true);
    const one = plan({ b: l, c: l, d: l }, { a: r, b: r, c: r, d: r }, journal);
    expect(tooManyDeletes(one, 0.5)).toBe(false);
    expect(tooManyDeletes(plan({}, {}, []), 0)).toBe(false);
  });
});

describe('sync names', () => {
  it('names a conflict copy with its side and time, before the extension', () => {
    const at = new Date(2025, 2, 7, 14, 5, 9).getTime();
    expect(conflictName('docs/report.odt', 'local', at)).toBe(
      'docs/report (conflict local 2025-03-07T14-05-09).odt',
    );
    expect(conflictName('Makefile', 'remote', at)).toBe('Makefile (conflict remote 2025-03-07T14-05-09)');
    expect(stampTime(stamp(at))).toBe(at);
  });

  it("keeps the sync's own folders out of the trees", () => {
    expect(isReserved('.pathwise-sync/trash/x')).toBe(true);
    expect(isReserved('.pathwise-trash')).toBe(true);
    expect(isReserved('a/big.iso.pathwise-upload')).toBe(true);
    expect(isReserved('a/.pathwise-sync')).toBe(false);
  });
});
