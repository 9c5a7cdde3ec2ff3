import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransferMode } from '../../common/contract.ts';
import type { PathwiseError } from '../../common/errors.ts';
import type { ContinuityTracker } from '../../main/engine/ContinuityTracker.ts';
import { LaneFailover, type FailoverHost } from '../../main/engine/LaneFailover.ts';
import type { PathLane } from '../../main/engine/PathLane.ts';
import type { PathLanes } from '../../main/engine/PathLanes.ts';
import type { RangeFetch } from '../../main/engine/RangeFetch.ts';
import type { ServedFile } from '../../main/engine/ServedFile.ts';
import { DEFAULT_TUNING } from '../../main/engine/TransferOptions.ts';
import {
  A,
  B,
  fileEquals,
  makeTransfer,
  twoPaths,
  until,
  startEmulatedServer,
  stopEmulatedServer,
} from '../support/engineLab.ts';
import type { LinkEmulator } from '../support/linkEmulator.ts';
import { deterministicContent, sha256, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 26);
let server: RangeServer;
let link: LinkEmulator;
let url: string;

beforeEach(async () => {
  ({ server, link, url } = await startEmulatedServer(content, { [A]: 1_000_000, [B]: 700_000 }));
});

afterEach(() => stopEmulatedServer({ server, link }));

/**
 * Blocks the event loop (a GC pause, a busy laptop, a suspend) for `ms`: nothing runs, the bytes
 * that arrive wait in the sockets. It blocks in the loop's check phase, so that the next turn
 * starts with the timers (the watchdog's among them) before the sockets are read, as after a
 * freeze anywhere but in a timer.
 */
function freezeLoop(ms: number): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // Busy: no timer, no socket read, no promise runs meanwhile.
      }
      resolve();
    }),
  );
}

/** Continuity events a healthy download must not show: a path taken out, its work moved. */
const alarms = new Set(['path-lost', 'failover', 'handover']);

/**
 * A watchdog timer that fires after a freeze sees every connection silent for the whole freeze,
 * though the bytes that arrived meanwhile sit unread in the sockets: it must read them, and not
 * count the frozen time as silence, before it calls a path stalled (issue 26).
 */
describe('stall watchdog: an event loop that froze is not a stalled path', () => {
  it.each<{ mode: TransferMode; freezeMs: number }>([
    { mode: 'aggregate', freezeMs: 800 },
    { mode: 'aggregate', freezeMs: 3000 },
    { mode: 'handover', freezeMs: 3000 },
  ])('$mode: a $freezeMs ms freeze under a 300 ms stall floor moves nothing', async ({ mode, freezeMs }) => {
    const { transfer, file, events } = makeTransfer({
      url,
      mode,
      paths: twoPaths(mode === 'handover' ? 'secondary' : 'always'),
      tuning: { stallFloorMs: 300 },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    const before = transfer.info().paths['a']?.bytes ?? 0;
    await freezeLoop(freezeMs);
    const outcome = await run;
    expect(before, 'the freeze came mid-download').toBeLessThan(SIZE / 2);
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(events.filter((e) => alarms.has(e.kind))).toEqual([]);
    expect(transfer.info().paths['a']?.bytes ?? 0).toBeGreaterThan(before);
  });

  it('still takes out a path that really stalls after a freeze', async () => {
    const { transfer, file, events } = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: { stallFloorMs: 300 },
    });
    const run = transfer.run();
    await until(() => (transfer.info().paths['a']?.bytes ?? 0) > 300_000, 20_000, 'bytes on a');
    await freezeLoop(800);
    link.set(A, { stalled: true });
    const outcome = await run;
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(events.find((e) => e.kind === 'path-lost')?.detail).toMatch(/No data arrived over a/);
    expect(events.find((e) => e.kind === 'failover')).toMatchObject({ from: 'a', to: 'b' });
  });
});

/** The watchdog's arithmetic on a clock the test sets: which silence counts, with no timing at all. */
describe("stall watchdog: frozen time is nobody's silence", () => {
  /** One receiving connection on a path with a 10 ms RTT, last heard at `heardAt`; the limit is the 300 ms floor. */
  function watch(heardAt: number): { failover: LaneFailover; stalledAt: (now: number) => string | null } {
    const lane = { name: 'a', rttMs: 10 } as PathLane;
    const lanes = { get: () => lane } as unknown as PathLanes;
    const failover = new LaneFailover(
      { lanes, served: {} as ServedFile, continuity: {} as ContinuityTracker },
      { ...DEFAULT_TUNING, stallFloorMs: 300 },
      { url: 'http://127.0.0.1/', paths: [] },
      {} as FailoverHost,
    );
    const stalledAt = (now: number): string | null => {
      let verdict: string | null = null;
      const fetch = {
        lane: 'a',
        receiving: true,
        gapMs: 0,
        silentFor: (at: number) => at - heardAt,
        abort: (error: PathwiseError | null) => (verdict = error?.message ?? 'stopped'),
      } as unknown as RangeFetch;
      failover.abortStalled([fetch], now);
      return verdict;
    };
    return { failover, stalledAt };
  }

  it('judges a connection by the time the loop ran, and still calls a real stall', () => {
    const { failover, stalledAt } = watch(1000);
    expect(stalledAt(1250)).toBeNull();
    expect(stalledAt(1400)).toMatch(/No data arrived over a for 0.4 s/);
    // The loop froze from 1100 (when the watchdog was due) to 1900: silent 1000 ms, 200 of them live.
    failover.loopRanLate(1100, 1900);
    expect(stalledAt(2000)).toBeNull();
    expect(stalledAt(2090)).toBeNull();
    // Still silent once the loop has run more than the floor since: a stall.
    expect(stalledAt(2110)).toMatch(/No data arrived over a for 0.3 s/);
  });

  it('adds up every freeze within the silence and ignores timer jitter', () => {
    const { failover, stalledAt } = watch(1000);
    failover.loopRanLate(1100, 1600);
    failover.loopRanLate(1700, 2200);
    // Heard at 1000; live 1000-1100, 1600-1700, 2200-: 290 ms at 2290.
    expect(stalledAt(2290)).toBeNull();
    // 10 ms late is timer jitter, not a freeze: at 2320 the connection was silent 320 ms of live time.
    failover.loopRanLate(2300, 2310);
    expect(stalledAt(2320)).toMatch(/No data arrived/);
    // A freeze before the connection was last heard shortens nothing.
    const later = watch(5000);
    later.failover.loopRanLate(4000, 4900);
    expect(later.stalledAt(5310)).toMatch(/No data arrived/);
  });
});
