/**
 * One download at a time per file (issue 26): `<file>.part.lock` holds the owner's pid, so a
 * second download of the same file, in this process or another, is refused with E_BUSY while the
 * first runs, and the first goes on unharmed. A lock left by a dead process is taken over.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathInfo, TransferInfo } from '../../common/contract.ts';
import { defaultSettings } from '../../main/core/SettingsStore.ts';
import type { Transfer, TransferOutcome } from '../../main/engine/Transfer.ts';
import { TransferManager } from '../../main/engine/TransferManager.ts';
import { runPathwise } from '../support/cli.ts';
import { A, B, fileEquals, loopPath, makeTransfer, tempDir, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
} from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 31);
/** Held answers must not look like a stalled path: the first download waits as long as the test needs. */
const PATIENT = { headerTimeoutMs: 600_000, retryBaseMs: 200 };
let server: RangeServer | undefined;
let release: () => void = () => undefined;

afterEach(async () => {
  release();
  await server?.close();
  server = undefined;
});

/**
 * A server that answers every probe at once but holds the other answers to `from` until release():
 * a download over that address is running (its lock taken, its part file open) for as long as the
 * test needs, without any clock.
 */
async function holdingServer(from: string): Promise<RangeServer> {
  const opened = new Promise<void>((resolve) => (release = resolve));
  server = await startRangeServer(content, {
    behaviour: { onRequest: (log) => (log.remoteAddress === from && !isProbe(log) ? opened : undefined) },
  });
  return server;
}

/** Resolves once `transfer` runs; rejects if its run ends first. */
async function whenRunning(transfer: Transfer, run: Promise<TransferOutcome>): Promise<void> {
  const running = new Promise<void>((resolve) => {
    const check = (): void => {
      if (transfer.currentState !== 'running') return;
      transfer.off('change', check);
      resolve();
    };
    transfer.on('change', check);
    check();
  });
  const ended = run.then((outcome) => {
    throw new Error(`the first download ended before running: ${JSON.stringify(outcome)}`);
  });
  await Promise.race([running, ended]);
}

/** The first download of `file`, over path a, held running (see holdingServer). */
async function firstDownload(
  file: string,
): Promise<{ server: RangeServer; transfer: Transfer; run: Promise<TransferOutcome> }> {
  const s = await holdingServer(A);
  const { transfer } = makeTransfer({ url: s.url, file, paths: [loopPath('a', A)], tuning: PATIENT });
  const run = transfer.run();
  await whenRunning(transfer, run);
  return { server: s, transfer, run };
}

/** The first download, released, completes with the file, its lock gone. */
async function firstCompletes(run: Promise<TransferOutcome>, file: string): Promise<void> {
  release();
  expect(await run).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(file, content)).toBe(true);
  expect(existsSync(`${file}.part.lock`)).toBe(false);
}

describe('the download lock: a second download of the same file while the first runs', () => {
  it('is refused with E_BUSY in the same process, and the first completes', async () => {
    const file = join(tempDir(), 'same.bin');
    const { server: s, run } = await firstDownload(file);
    const second = makeTransfer({ url: s.url, file, paths: [loopPath('b', B)] });
    const outcome = await second.transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_BUSY');
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      `${file} is already being downloaded (process ${process.pid}). Wait for it, or stop it first.`,
    );
    // The second asked the server nothing but its probe: not a byte of the file came from it.
    expect(s.requests.filter((r) => r.remoteAddress === B).every(isProbe)).toBe(true);
    expect((await readFile(`${file}.part.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await firstCompletes(run, file);
  });

  it('is refused with E_BUSY from another process (pathwise get), and the first completes', async () => {
    const file = join(tempDir(), 'same.bin');
    const { server: s, run } = await firstDownload(file);
    const result = await runPathwise(['get', s.url, '-o', file, '--json', '--paths', `b=${B}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `pathwise: ${file} is already being downloaded (process ${process.pid}). Wait for it, or stop it first. [E_BUSY]\n`,
    );
    expect(s.requests.filter((r) => r.remoteAddress === B).every(isProbe)).toBe(true);
    await firstCompletes(run, file);
  }, 60_000);

  it('takes over the lock of a download whose process is gone (kill -9), and resumes it', async () => {
    const file = join(tempDir(), 'stale.bin');
    const { server: s, transfer, run } = await firstDownload(file);
    await until(() => transfer.info().received > 0, 20_000, 'the first bytes on disk');
    await transfer.pause();
    expect(await run).toEqual({ status: 'paused' });
    // What kill -9 leaves: the part file, its journal, and a lock naming a process that is gone.
    writeFileSync(`${file}.part.lock`, String(spawnSync(process.execPath, ['-e', '']).pid));
    release();
    const again = makeTransfer({ url: s.url, file, paths: [loopPath('a', A)] });
    const outcome = await again.transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(outcome.status === 'done' && outcome.resumedBytes).toBeGreaterThan(0);
    expect(await fileEquals(file, content)).toBe(true);
    expect(existsSync(`${file}.part.lock`)).toBe(false);
  });
});

const loopInfo = (name: string, address: string): PathInfo => ({
  name,
  type: 'ethernet',
  addresses: [address],
  up: true,
  metered: false,
  preference: 'always',
});

const ENDED = new Set<TransferInfo['state']>(['done', 'failed', 'cancelled', 'paused']);

/** Resolves once the manager lists a transfer for which `test` holds. */
function whenListed(manager: TransferManager, test: (info: TransferInfo) => boolean): Promise<TransferInfo> {
  return new Promise((resolve) => {
    const check = (): void => {
      const found = manager.list().find(test);
      if (!found) return;
      manager.off('changed', check);
      resolve(found);
    };
    manager.on('changed', check);
    check();
  });
}

describe('the download lock in the app (TransferManager)', () => {
  it('refuses a second start of the same download with E_BUSY while the first runs', async () => {
    const s = await holdingServer(A);
    const downloads = tempDir();
    const manager = new TransferManager({
      paths: { snapshot: () => [loopInfo('a', A), loopInfo('b', B)], on: () => null, off: () => null },
      settings: () => ({ ...defaultSettings({}), downloadDir: downloads }),
      tuning: PATIENT,
    });
    try {
      const start = { url: s.url, fileName: 'same.bin', mode: 'aggregate' as const };
      const first = await manager.start({ ...start, paths: ['a'] });
      await whenListed(manager, (t) => t.id === first.id && t.state === 'running');
      const second = await manager.start({ ...start, paths: ['b'] });
      const refused = await whenListed(manager, (t) => t.id === second.id && ENDED.has(t.state));
      expect(refused).toMatchObject({ state: 'failed', file: join(downloads, 'same.bin') });
      expect(refused.error?.code).toBe('E_BUSY');
      expect(refused.error?.message).toMatch(/same\.bin is already being downloaded \(process \d+\)/);
      release();
      const done = await whenListed(manager, (t) => t.id === first.id && ENDED.has(t.state));
      expect(done).toMatchObject({ state: 'done', sha256: sha256(content) });
      expect(await fileEquals(join(downloads, 'same.bin'), content)).toBe(true);
    } finally {
      await manager.stop();
    }
  });
});
