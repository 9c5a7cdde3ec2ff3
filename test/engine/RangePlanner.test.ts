import { describe, expect, it } from 'vitest';
import { RangePlanner, type PlannedFetch } from '../../main/engine/RangePlanner.ts';
import { RangeSet } from '../../main/engine/RangeSet.ts';

function fetchOf(pos: number, end: number, rate: number, lane = 'wwan0'): PlannedFetch {
  return { lane, start: pos, pos, end, paired: false, rate: () => rate, silentFor: () => 0 };
}

/** Work for an idle wlan0 connection measured at 1 MB/s while `running` is under way. */
function askAsWlan0(planner: RangePlanner<PlannedFetch>, running: PlannedFetch) {
  return planner.next({ lane: 'wlan0', rate: 1_000_000, rttMs: 10, allowance: null }, [running], 0);
}

describe('range planning', () => {
  it('sizes chunks from each connection’s rate so they take about the same time', () => {
    const planner = new RangePlanner(100_000_000, new RangeSet(), {
      chunkMs: 2000,
      minChunk: 1,
      maxChunk: 1e9,
    });
    const fast = planner.next({ lane: 'wlan0', rate: 5_000_000, rttMs: 10, allowance: null }, [], 0);
    const slow = planner.next({ lane: 'wlan0', rate: 500_000, rttMs: 10, allowance: null }, [], 0);
    expect(fast).toEqual({ kind: 'fresh', start: 0, end: 10_000_000 });
    expect(slow).toEqual({ kind: 'fresh', start: 10_000_000, end: 11_000_000 });
  });

  it('never plans past what a cap allows and skips what is already on disk', () => {
    const planner = new RangePlanner(1000, new RangeSet([[0, 400]]));
    expect(planner.next({ lane: 'wlan0', rate: 0, rttMs: 10, allowance: 100 }, [], 0)).toEqual({
      kind: 'fresh',
      start: 400,
      end: 500,
    });
    expect(planner.next({ lane: 'wlan0', rate: 0, rttMs: 10, allowance: 0 }, [], 0)).toBeNull();
  });

  it('lets an idle fast connection steal the tail of a slow one, split so both end together', () => {
    const planner = new RangePlanner(10_000_000, new RangeSet([[0, 9_000_000]]), { minSteal: 1 });
    planner.unassigned.remove(0, 10_000_000);
    const slow = fetchOf(9_000_000, 10_000_000, 100_000);
    const steal = planner.next({ lane: 'wlan0', rate: 900_000, rttMs: 0, allowance: null }, [slow], 0);
    expect(steal?.kind).toBe('steal');
    // 1 MB left: the fast side (9x faster) takes 90% of it.
    expect(steal?.start).toBe(9_100_000);
    expect(steal?.end).toBe(10_000_000);
  });

  it('does not split a range between two connections of one path near the end', () => {
    // They share the path's bottleneck: the split moves nothing faster and the victim's answer,
    // cut short, throws away what was in flight.
    const planner = new RangePlanner(10_000_000, new RangeSet([[0, 8_000_000]]), { minSteal: 1 });
    planner.unassigned.remove(0, 10_000_000);
    expect(askAsWlan0(planner, fetchOf(8_000_000, 10_000_000, 1_000_000, 'wlan0'))).toBeNull();
    // The same range on another path is split.
    expect(askAsWlan0(planner, fetchOf(8_000_000, 10_000_000, 1_000_000, 'wwan0'))).toMatchObject({
      kind: 'steal',
    });
  });

  it('splits a long range on one path (servers that limit each connection) and races a quiet one', () => {
    const planner = new RangePlanner(100_000_000, new RangeSet([[0, 90_000_000]]), { minSteal: 1 });
    planner.unassigned.remove(0, 100_000_000);
    // 10 s to go at 1 MB/s: longer than sameLaneStealMs.
    expect(askAsWlan0(planner, fetchOf(90_000_000, 100_000_000, 1_000_000, 'wlan0'))).toMatchObject({
      kind: 'steal',
      end: 100_000_000,
    });
    const quiet: PlannedFetch = { ...fetchOf(95_000_000, 95_100_000, 0, 'wlan0'), silentFor: () => 2000 };
    expect(askAsWlan0(planner, quiet)).toMatchObject({ kind: 'duplicate' });
  });

  it('duplicates the remainder of a connection that has gone quiet (the endgame)', () => {
    const planner = new RangePlanner(1_000_000, new RangeSet([[0, 900_000]]));
    planner.unassigned.remove(0, 1_000_000);
    const quiet: PlannedFetch = { ...fetchOf(900_000, 1_000_000, 0), silentFor: () => 2000 };
    const next = planner.next({ lane: 'wlan0', rate: 1_000_000, rttMs: 10, allowance: null }, [quiet], 0);
    expect(next).toMatchObject({ kind: 'duplicate', start: 900_000, end: 1_000_000 });
  });

  it('hands ranges left by a failed path out first', () => {
    const planner = new RangePlanner(10_000_000, new RangeSet());
    planner.unassigned.remove(5_000_000, 6_000_000);
    const failed = fetchOf(5_000_000, 6_000_000, 0);
    planner.release(failed, [], new RangeSet());
    planner.prioritize(5_000_000, 6_000_000);
    expect(planner.next({ lane: 'wlan0', rate: 0, rttMs: 10, allowance: null }, [], 0)).toMatchObject({
      start: 5_000_000,
    });
  });
});

describe('range planning for a server that pushes back', () => {
  it('asks a server that pushed back for longer ranges, within the largest chunk and the server’s cap', () => {
    const planner = new RangePlanner(1e9, new RangeSet(), { chunkMs: 2000, maxChunk: 32 << 20 });
    const ask = (rate: number, scale: number) =>
      planner.next({ lane: 'wlan0', rate, rttMs: 10, allowance: null, scale }, [], 0) as {
        start: number;
        end: number;
      };
    const length = (a: { start: number; end: number }) => a.end - a.start;
    expect(length(ask(0, 1))).toBe(1 << 20);
    expect(length(ask(0, 4))).toBe(4 << 20);
    expect(length(ask(1_000_000, 2))).toBe(4_000_000);
    expect(length(ask(10_000_000, 16))).toBe(32 << 20);
    planner.serverCap = 3_000_000;
    expect(length(ask(0, 8))).toBe(3_000_000);
  });
});
