import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PathBytesEvent } from '../../main/base/budget.ts';
import { PathLimits } from '../../main/engine/PathLimits.ts';
import {
  A,
  B,
  fileEquals,
  loopPath,
  makeTransfer,
  twoPaths,
  until,
  startEmulatedServer,
  stopEmulatedServer,
} from '../support/engineLab.ts';
import type { LinkEmulator } from '../support/linkEmulator.ts';
import { deterministicContent, sha256, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 21);
let server: RangeServer;
let link: LinkEmulator;
let url: string;

beforeEach(async () => {
  ({ server, link, url } = await startEmulatedServer(content, { [A]: 1_500_000, [B]: 1_000_000 }));
});

afterEach(() => stopEmulatedServer({ server, link }));

/** Paths that go quiet or lossy under a transfer, which the engine must notice on its own. */
describe('failover between paths: a path that stalls or loses packets', () => {
  it('moves the work of a silently stalled path to the other one and finishes the file', async () => {
    const { transfer, file, events } = makeTransfer({ url, paths: twoPaths() });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    link.set(A, { stalled: true });
    const outcome = await run;
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(events.find((e) => e.kind === 'path-lost')).toMatchObject({ from: 'a' });
    expect(events.find((e) => e.kind === 'path-lost')?.detail).toMatch(/No data arrived over a/);
    const failover = events.find((e) => e.kind === 'failover');
    expect(failover).toMatchObject({ from: 'a', to: 'b', bytesLost: 0 });
  });

  it('restarts one stalled connection without taking its path out of service', async () => {
    // One of path a's two connections goes quiet mid-range (TCP backing off on a crowded link)
    // while its sibling keeps receiving: the range moves on, the path stays in use.
    server.behaviour.stallNextAfter = 40_000;
    const { transfer, file, events } = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: {
        connectionsPerPath: 2,
        stallFloorMs: 300,
        planner: { initialChunk: 128 << 10, minChunk: 64 << 10, chunkMs: 150 },
      },
    });
    const outcome = await transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    const stalled = server.requests.find((r) => r.status === 206 && r.bytes === 40_000);
    expect(stalled, 'one answer stopped after 40 kB').toBeDefined();
    expect(events.filter((e) => e.kind === 'path-lost')).toEqual([]);
    // The rest of the stalled range was asked for again, keeping the 40 kB that had arrived.
    const stalledStart = Number(/bytes=(\d+)-/.exec(String(stalled?.headers.range))?.[1]);
    expect(
      server.requests.some((r) => String(r.headers.range).startsWith(`bytes=${stalledStart + 40_000}-`)),
    ).toBe(true);
  });

  it('survives delay and packet loss on both paths', async () => {
    link.set(A, { delayMs: 20, loss: 0.02, lossPauseMs: 150 });
    link.set(B, { delayMs: 40, loss: 0.02, lossPauseMs: 150 });
    const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
  });
});

/** Paths the monitor takes out of service mid-transfer: down, unverified, or kept as a backup. */
describe('failover between paths: a path taken out of service', () => {
  it('drops a path the monitor reports down at once and keeps the bytes it delivered', async () => {
    // No steals or endgame duplicates: by design they may fetch a few bytes twice (under load a
    // tail was duplicated and 32 KiB counted twice), and this test counts every byte.
    const { transfer, file, events } = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: { planner: { minSteal: Number.POSITIVE_INFINITY, marginMs: Number.POSITIVE_INFINITY } },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    link.set(A, { cut: true });
    transfer.updatePaths([{ ...loopPath('a', A), up: false }, loopPath('b', B, 'always', 1)]);
    expect(transfer.info().paths['a']?.state).toBe('down');
    const before = transfer.info().paths['a']?.bytes ?? 0;
    const outcome = await run;
    expect(outcome.status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(events.some((e) => e.kind === 'path-lost' && e.from === 'a')).toBe(true);
    // What a delivered before the cut was kept: the file needed no more than the rest.
    const total = (transfer.info().paths['a']?.bytes ?? 0) + (transfer.info().paths['b']?.bytes ?? 0);
    expect(total).toBe(SIZE);
    expect(before).toBeGreaterThan(300_000);
  });

  it('stops using a path found unverified and finishes on the others', async () => {
    const { transfer, file, events } = makeTransfer({ url, paths: twoPaths() });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    transfer.updatePaths([{ ...loopPath('a', A), verified: false }, loopPath('b', B, 'always', 1)]);
    expect(transfer.info().paths['a']?.state).toBe('unverified');
    const before = link.accepted(A);
    const outcome = await run;
    expect(outcome.status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(link.accepted(A)).toBe(before);
    expect(transfer.info().paths['a']?.state).toBe('unverified');
    expect(events.find((e) => e.kind === 'path-lost' && e.from === 'a')?.detail).toMatch(/unverified/);
  });

  it('uses a backup path only while no preferred path is usable', async () => {
    const { transfer, file } = makeTransfer({ url, paths: twoPaths('backup') });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 500_000, 20_000, 'bytes on a');
    expect(link.accepted(B)).toBe(0);
    link.set(A, { cut: true });
    transfer.updatePaths([{ ...loopPath('a', A), up: false }, loopPath('b', B, 'backup', 1)]);
    expect((await run).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['b']?.bytes).toBeGreaterThan(0);
  });
});

describe('failover between paths: the monitor says a path is up again', () => {
  it('probes a failed path at once when its verdict turns good, not after its own back-off', async () => {
    // b slow enough that the download is still running when a comes back.
    link.set(B, { rateBps: 150_000 });
    const { transfer, file, events } = makeTransfer({
      url,
      paths: twoPaths(),
      // A back-off far longer than this test: only the monitor's word can bring a back.
      tuning: { retryBaseMs: 600_000, retryMaxMs: 600_000 },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    link.set(A, { stalled: true });
    await until(() => events.some((e) => e.kind === 'path-lost' && e.from === 'a'), 20_000, 'a lost');
    const a = loopPath('a', A);
    const b = loopPath('b', B, 'always', 1);
    // The monitor heard of the stall and confirmed it; then a's recovery probe answered.
    transfer.updatePaths([{ ...a, health: 'suspect' }, b]);
    transfer.updatePaths([{ ...a, health: 'offline' }, b]);
    link.set(A, { stalled: false });
    const aBefore = transfer.info().paths['a']?.bytes ?? 0;
    transfer.updatePaths([{ ...a, health: 'good', rttMs: 1 }, b]);
    await until(() => events.some((e) => e.kind === 'path-restored' && e.to === 'a'), 20_000, 'a restored');
    expect((await run).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['a']?.bytes).toBeGreaterThan(aBefore);
  }, 60_000);

  it('probes again at once when the verdict turned good while a recovery probe was still out', async () => {
    link.set(B, { rateBps: 150_000 });
    // The first recovery probe goes 5 s after the stall; after it fails, the next would wait 10 s.
    const { transfer, file, events } = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: { retryBaseMs: 5000, retryMaxMs: 600_000 },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    link.set(A, { stalled: true });
    await until(() => events.some((e) => e.kind === 'path-lost' && e.from === 'a'), 20_000, 'a lost');
    const opened = link.accepted(A);
    await until(() => link.accepted(A) > opened, 20_000, 'a recovery probe over a');
    // The monitor's word arrives while that probe waits on the stalled link (it fails after 2.5 s).
    transfer.updatePaths([{ ...loopPath('a', A), health: 'good', rttMs: 1 }, loopPath('b', B, 'always', 1)]);
    await until(() => link.accepted(A) > opened + 1, 8000, 'the next probe, without the 10 s back-off');
    link.set(A, { stalled: false });
    await until(() => events.some((e) => e.kind === 'path-restored' && e.to === 'a'), 20_000, 'a restored');
    expect((await run).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
  }, 60_000);
});

describe('handover mode', () => {
  it('sends no payload over the secondary while the primary is healthy', async () => {
    const { transfer, file } = makeTransfer({ url, mode: 'handover', paths: twoPaths('secondary') });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['b']).toMatchObject({ bytes: 0 });
    expect(link.accepted(B)).toBe(0);
    expect(link.delivered(B)).toBe(0);
  });

  it('takes over when the primary stalls and hands back when it recovers', async () => {
    link.set(A, { rateBps: 1_000_000 });
    const { transfer, file, events } = makeTransfer({
      url,
      mode: 'handover',
      paths: twoPaths('secondary'),
      tuning: { planner: { maxChunk: 256 << 10 } },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    link.set(A, { stalled: true });
    await until(() => events.some((e) => e.kind === 'handover' && e.to === 'b'), 20_000, 'handover to b');
    await until(() => (transfer.info().paths['b']?.bytes ?? 0) > 200_000, 20_000, 'bytes on b');
    const aBefore = transfer.info().paths['a']?.bytes ?? 0;
    link.set(A, { stalled: false });
    await until(() => events.some((e) => e.kind === 'handover' && e.to === 'a'), 20_000, 'hand back to a');
    expect((await run).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['a']?.bytes).toBeGreaterThan(aBefore);
    const kinds = events.filter((e) => e.kind === 'handover').map((e) => `${e.from}->${e.to}`);
    expect(kinds).toEqual(['a->b', 'b->a']);
  });
});

describe('interactive mode', () => {
  it('uses only the lowest-RTT path, over one connection', async () => {
    const paths = [
      { ...loopPath('a', A, 'always', 0), rttMs: 80 },
      { ...loopPath('b', B, 'always', 1), rttMs: 8 },
    ];
    const { transfer, file } = makeTransfer({ url, mode: 'interactive', paths });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['a']?.bytes).toBe(0);
    expect(link.accepted(A)).toBe(0);
    expect(link.accepted(B)).toBe(1);
  });
});

describe('caps and rate limits', () => {
  it('honours a per-transfer cap on one path and reports reaching it', async () => {
    const cap = 400_000;
    const { transfer, file, events } = makeTransfer({ url, paths: twoPaths(), caps: { b: cap } });
    expect((await transfer.run()).status).toBe('done');
    expect(await fileEquals(file, content)).toBe(true);
    expect(transfer.info().paths['b']?.bytes).toBeLessThanOrEqual(cap);
    expect(events.some((e) => e.kind === 'cap-reached' && e.from === 'b')).toBe(true);
  });

  it('stops with E_CAP_REACHED when every path is at its cap, keeping the part for a resume', async () => {
    const { transfer, file } = makeTransfer({
      url,
      paths: twoPaths(),
      caps: { a: 600_000, b: 300_000 },
      whenCapped: 'fail',
    });
    const outcome = await transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_CAP_REACHED');
    expect(transfer.info().paths['a']?.bytes).toBeLessThanOrEqual(600_000);
    expect(transfer.info().paths['b']?.bytes).toBeLessThanOrEqual(300_000);
    expect(existsSync(`${file}.part`)).toBe(true);
    expect(existsSync(`${file}.part.json`)).toBe(true);

    const again = makeTransfer({ url, paths: twoPaths(), file });
    const done = await again.transfer.run();
    expect(done).toMatchObject({ status: 'done', resumedBytes: 900_000 });
    expect(await fileEquals(file, content)).toBe(true);
  });

  it('shares a ledger budget between transfers and honours its rate limit', async () => {
    // A budget like the ledger's: 500 kB left on b at 300 kB/s, counted from the engine's bytes.
    let remainingB = 500_000;
    const limits = new PathLimits({
      budgetFor: (path) =>
        path === 'b'
          ? { remainingBytes: remainingB, rateLimitBps: 300_000 }
          : { remainingBytes: null, rateLimitBps: null },
    });
    const count = (e: PathBytesEvent): void => {
      if (e.path === 'b') remainingB -= e.bytes;
    };
    const one = makeTransfer({ url, paths: twoPaths(), limits });
    const two = makeTransfer({ url, paths: twoPaths(), limits });
    one.transfer.on('bytes', count);
    two.transfer.on('bytes', count);
    const started = performance.now();
    const [r1, r2] = await Promise.all([one.transfer.run(), two.transfer.run()]);
    const seconds = (performance.now() - started) / 1000;
    expect(r1.status).toBe('done');
    expect(r2.status).toBe('done');
    const onB = (one.transfer.info().paths['b']?.bytes ?? 0) + (two.transfer.info().paths['b']?.bytes ?? 0);
    expect(onB).toBeLessThanOrEqual(500_000);
    expect(onB).toBeLessThanOrEqual(300_000 * seconds + 64_000);
    expect(await fileEquals(one.file, content)).toBe(true);
    expect(await fileEquals(two.file, content)).toBe(true);
  });
});
