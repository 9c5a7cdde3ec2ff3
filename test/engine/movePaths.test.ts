import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PathInfo, Settings, TransferInfo } from '../../common/contract.ts';
import { PathLimits } from '../../main/engine/PathLimits.ts';
import { TransferManager, type PathSource } from '../../main/engine/TransferManager.ts';
import { A, B, tempDir, until } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const CAP = 600_000;
const content = deterministicContent(SIZE, 77);

function loopInfo(name: string, address: string): PathInfo {
  return { name, type: 'ethernet', addresses: [address], up: true, metered: false, preference: 'always' };
}

const paths: PathSource = {
  snapshot: () => [loopInfo('a', A), loopInfo('b', B)],
  on: () => undefined,
  off: () => undefined,
};

let server: RangeServer;
let manager: TransferManager;
let downloads: string;

beforeEach(async () => {
  server = await startRangeServer(content);
  downloads = tempDir();
  // A plan's cap on path a, as the ledger would keep it: 600 kB, then nothing.
  let spentOnA = 0;
  const limits = new PathLimits({
    budgetFor: (path) => ({
      remainingBytes: path === 'a' ? Math.max(0, CAP - spentOnA) : null,
      rateLimitBps: null,
    }),
  });
  manager = new TransferManager({
    paths,
    limits,
    settings: () => ({ downloadDir: downloads }) as Settings,
    tuning: { retryBaseMs: 100 },
  });
  manager.on('bytes', (event) => {
    if (event.path === 'a') spentOnA += event.bytes;
  });
});

afterEach(async () => {
  await manager.stop();
  await server.close();
});

const find = (id: string): TransferInfo => manager.list().find((t) => t.id === id) as TransferInfo;

describe('a download waiting on a cap (issue 24)', () => {
  it('says it waits on path a’s cap, then moves to path b and finishes from what it had', async () => {
    const started = await manager.start({ url: server.url, mode: 'aggregate', paths: ['a'] });
    await until(() => find(started.id).waiting != null, 15_000, 'waiting on the cap');
    const waiting = find(started.id);
    expect(waiting.state).toBe('running');
    expect(waiting.waiting).toEqual({ reason: 'cap', paths: ['a'] });
    expect(waiting.paths['a']?.state).toBe('capped');
    const kept = waiting.received;
    expect(kept).toBeGreaterThan(0);

    const moved = await manager.setPaths(started.id, ['b']);
    expect(moved).toMatchObject({ id: started.id, allowedPaths: ['b'] });
    await until(() => find(started.id).state === 'done', 15_000, 'done on b');
    const done = find(started.id);
    expect(done.waiting ?? null).toBeNull();
    expect(done.sha256).toBe(sha256(content));
    expect(readFileSync(join(downloads, 'file.bin')).equals(content)).toBe(true);
    // Only what was missing came over b: the part file's bytes were kept.
    expect(done.paths['b']?.bytes).toBeLessThanOrEqual(SIZE - kept);
    expect(manager.list()).toHaveLength(1);
  });

  it('refuses to move a finished download', async () => {
    const started = await manager.start({ url: server.url, mode: 'aggregate', paths: ['b'] });
    await until(() => find(started.id).state === 'done', 15_000, 'done');
    await expect(manager.setPaths(started.id, ['a'])).rejects.toMatchObject({ code: 'E_BUSY' });
  });
});
