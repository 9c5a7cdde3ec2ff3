/**
 * A job's policy against rclone serve webdav on loopback: the `cellular:SIZE` allowance (the job
 * stops at it, and it is counted per billing cycle) and the job's rate limit, both directions.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SyncJournal } from '../../main/sync/SyncJournal.ts';
import { RateBucket } from '../../main/sync/uploadBody.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import { exists, pathInfo, rcloneNeeds, runOnce, treeHashes, useDavFixture, write } from './davLab.ts';

const KB = 1000;
const ALLOWANCE = 1_500 * KB;
/** Metadata answers (PROPFIND) are booked when they arrive: one may end a little past the allowance. */
const METADATA_SLACK = 16 * KB;

const cellOnly = [pathInfo('cell', '127.0.0.3', true)];
const cellular = { policy: { kind: 'cellular' as const, meteredBytes: ALLOWANCE } };

function cellBytes(bytes: Record<string, { up: number; down: number }>): number {
  const b = bytes['cell'];
  return b ? b.up + b.down : 0;
}

/** The job's bytes on the metered path since `since`, as its journal booked them (what the allowance counts). */
function cellUsage(journalDir: string, since = 0): number {
  const journal = new SyncJournal(journalDir);
  try {
    const row = journal.usageSince(since).get('cell');
    return row ? row.rx + row.tx : 0;
  } finally {
    journal.close();
  }
}

/** A run's code: E_OK when it converged, its error's code when it threw or a file failed. */
async function attempt(run: Promise<{ converged: boolean; errors: Array<{ code: string }> }>) {
  try {
    const out = await run;
    return { code: out.converged ? 'E_OK' : (out.errors[0]?.code ?? 'E_NONE') };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? 'E_INTERNAL' };
  }
}

/** Moves every byte the job booked back by `days` (as if it was spent then). */
function ageUsage(journalDir: string, days: number): void {
  const db = new DatabaseSync(join(journalDir, 'journal.sqlite'));
  db.prepare('UPDATE usage SET day = day - ?').run(days * 86_400_000);
  db.close();
}

describeNeeding(rcloneNeeds())('a cellular:SIZE allowance on a metered path', () => {
  const fx = useDavFixture();

  it('stops the job at its allowance, and gives it a fresh one in the next billing cycle', async () => {
    for (const name of ['a', 'b', 'c', 'd']) write(fx.remote, `${name}.bin`, Buffer.alloc(600 * KB, name));
    const run = () => attempt(runOnce(fx, cellular, { paths: () => cellOnly }));
    const first = await run();
    console.log('allowance run 1:', cellUsage(fx.journal), 'bytes booked;', first.code);
    expect(first.code).toBe('E_CAP_REACHED');
    expect(cellUsage(fx.journal)).toBeLessThanOrEqual(ALLOWANCE + METADATA_SLACK);
    const got = Object.keys(treeHashes(fx.local)).length;
    expect(got).toBeGreaterThanOrEqual(1);
    expect(got).toBeLessThanOrEqual(2);

    // The same cycle: what the first run spent counts, nothing more moves.
    const before = cellUsage(fx.journal);
    expect((await run()).code).toBe('E_CAP_REACHED');
    expect(cellUsage(fx.journal) - before).toBeLessThanOrEqual(METADATA_SLACK);
    expect(Object.keys(treeHashes(fx.local))).toHaveLength(got);

    // The bytes were spent 40 days ago (the last cycle): the job has its whole allowance again.
    for (let cycle = 0; cycle < 3 && Object.keys(treeHashes(fx.local)).length < 4; cycle++) {
      ageUsage(fx.journal, 40);
      await run();
      expect(cellUsage(fx.journal, Date.now() - 86_400_000)).toBeLessThanOrEqual(ALLOWANCE + METADATA_SLACK);
    }
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });

  it('sends no upload larger than what is left, and uses an unmetered path without counting it', async () => {
    write(fx.local, 'big.bin', Buffer.alloc(2_000 * KB, 1));
    const paths = [...cellOnly];
    const stopped = await runOnce(fx, cellular, { paths: () => paths });
    expect(stopped.converged).toBe(false);
    // The whole file would cross the allowance: it is not started, so nothing is wasted on it.
    expect(cellBytes(stopped.bytes)).toBeLessThan(METADATA_SLACK);
    expect(exists(join(fx.remote, 'big.bin'))).toBe(false);
    paths.push(pathInfo('wifi', '127.0.0.2'));
    const done = await runOnce(fx, cellular, { paths: () => paths });
    expect(done.converged).toBe(true);
    expect(done.bytes['wifi']?.up).toBeGreaterThanOrEqual(2_000 * KB);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});

describeNeeding(rcloneNeeds())("the job's rate limit", () => {
  const fx = useDavFixture();
  const RATE = 1_000 * KB;
  const SIZE = 1_500 * KB;
  /**
   * What may pass before the limit bites: the buckets' bursts (a tenth of a second each) and the
   * engine's first answer; a quarter of the file is far more than that.
   */
  const BURST = SIZE / 4;

  // A rate limit is a floor on the time a transfer takes: however fast the machine, the job
  // cannot move SIZE bytes in less than (SIZE - BURST) / RATE. Only that floor is asserted.
  it('holds downloads to it', async () => {
    write(fx.remote, 'down.bin', Buffer.alloc(SIZE, 2));
    const out = await runOnce(fx, { rateBps: RATE });
    expect(out.converged).toBe(true);
    expect(out.durationMs).toBeGreaterThanOrEqual(((SIZE - BURST) / RATE) * 1000);
  });

  it('holds small downloads (fetched whole, side by side) to it', async () => {
    for (let i = 0; i < 5; i++) write(fx.remote, `small-${i}.bin`, Buffer.alloc(SIZE / 5, i));
    const out = await runOnce(fx, { rateBps: RATE });
    expect(out).toMatchObject({ converged: true, downloaded: 5 });
    expect(out.durationMs).toBeGreaterThanOrEqual(((SIZE - BURST) / RATE) * 1000);
  });

  it('holds uploads to it', async () => {
    write(fx.local, 'up.bin', Buffer.alloc(SIZE, 3));
    const out = await runOnce(fx, { rateBps: RATE });
    expect(out.converged).toBe(true);
    expect(out.bytes['a']?.up).toBeGreaterThanOrEqual(SIZE);
    expect(out.durationMs).toBeGreaterThanOrEqual(((SIZE - BURST) / RATE) * 1000);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});

describe("the upload rate limit's bucket", () => {
  it('lets a burst through, then asks to wait for what exceeds the rate', () => {
    const bucket = new RateBucket(1_000_000);
    const t = performance.now();
    // The burst is a tenth of a second's worth: 100 kB.
    expect(bucket.take(50_000, t)).toBe(0);
    expect(bucket.take(100_000, t)).toBeCloseTo(50, 0);
    // A second later the debt is paid; the bucket holds no more than the burst.
    expect(bucket.take(100_000, t + 1_000)).toBe(0);
    expect(bucket.take(1_000, t + 1_000)).toBeGreaterThan(0);
    expect(new RateBucket(null).take(1e9, t)).toBe(0);
  });
});
