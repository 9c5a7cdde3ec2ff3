import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TransferJournal, type JournalState } from '../../main/engine/TransferJournal.ts';

let dir: string | null = null;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const state = (done: Array<[number, number]>, sha256: string | null = null): JournalState => ({
  version: 1,
  url: 'http://198.18.0.1/file.bin',
  finalUrl: 'http://198.18.0.1/file.bin',
  size: 1000,
  etag: '"v1"',
  lastModified: null,
  encoding: null,
  rangeSupport: true,
  done,
  sha256,
  updatedAt: 1,
});

describe('TransferJournal', () => {
  it('carries out saves and its removal in the order they were asked for', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-journal-'));
    const journal = new TransferJournal(join(dir, 'f.bin.part'));
    // A checkpoint still being written when the final save and the removal come.
    const checkpoint = journal.save(state([[0, 500]]));
    const final = journal.save(state([[0, 1000]], 'ab'.repeat(32)));
    await Promise.all([checkpoint, final]);
    expect(JSON.parse(readFileSync(journal.file, 'utf8'))).toMatchObject({ done: [[0, 1000]] });

    const late = journal.save(state([[0, 500]]));
    const removed = journal.remove();
    await Promise.all([late, removed]);
    expect(existsSync(journal.file)).toBe(false);
  });

  it('goes on after a save that failed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-journal-'));
    const missing = new TransferJournal(join(dir, 'gone', 'f.bin.part'));
    await expect(missing.save(state([]))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(missing.remove()).resolves.toBeUndefined();
  });
});
