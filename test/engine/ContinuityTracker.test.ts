import { describe, expect, it } from 'vitest';
import type { ContinuityEvent } from '../../common/contract.ts';
import { ContinuityTracker } from '../../main/engine/ContinuityTracker.ts';

/** The timeline as the dashboard keeps it: an event told again replaces its first telling. */
function timeline(): {
  tracker: ContinuityTracker;
  told: ContinuityEvent[];
  entries: () => ContinuityEvent[];
} {
  const told: ContinuityEvent[] = [];
  const tracker = new ContinuityTracker('t1', (event) => told.push(event));
  const entries = (): ContinuityEvent[] => [...new Map(told.map((e) => [e.id, e])).values()];
  return { tracker, told, entries };
}

const lost = { kind: 'path-lost', from: 'wlan0', to: null, bytesLost: 0, stallMs: 0 } as const;

describe('one cut, one continuity entry (issue 24)', () => {
  it('tells a lost path and the failovers of its two connections as one failover', () => {
    const { tracker, entries } = timeline();
    const since = performance.now() - 800;
    tracker.report({ ...lost, detail: 'wlan0 went down; its ranges moved to the other paths.' });
    // Each of wlan0's connections had a range in flight: two failovers are awaited.
    tracker.awaitFailover('wlan0', since, 0, 1000, 'wlan0 went down');
    tracker.awaitFailover('wlan0', since, 5000, 6000, 'wlan0 went down');
    tracker.firstByte({ lane: 'wwan0', start: 0 });
    tracker.firstByte({ lane: 'wwan0', start: 5000 });
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({
      kind: 'failover',
      from: 'wlan0',
      to: 'wwan0',
      transferId: 't1',
      detail: 'wlan0 went down; its ranges moved to the other paths.',
    });
    expect(entries()[0]!.stallMs).toBeGreaterThanOrEqual(800);
  });

  it('says "the other paths" when the work went to more than one', () => {
    const { tracker, entries } = timeline();
    const since = performance.now();
    tracker.report(lost);
    tracker.awaitFailover('wlan0', since, 0, 1000, 'x');
    tracker.awaitFailover('wlan0', since, 5000, 6000, 'x');
    tracker.firstByte({ lane: 'wwan0', start: 0 });
    tracker.firstByte({ lane: 'eth0', start: 5000 });
    expect(entries()).toEqual([expect.objectContaining({ kind: 'failover', from: 'wlan0', to: null })]);
  });

  it('starts a new entry for the next cut once the path was restored', () => {
    const { tracker, entries } = timeline();
    tracker.report(lost);
    tracker.report({ kind: 'path-restored', from: null, to: 'wlan0', bytesLost: 0, stallMs: 0 });
    tracker.report(lost);
    expect(entries().map((e) => e.kind)).toEqual(['path-lost', 'path-restored', 'path-lost']);
  });

  it('says a cap is reached once, not again as its budget flickers', () => {
    const { tracker, entries } = timeline();
    const cap = { kind: 'cap-reached', from: 'wwan0', to: null, bytesLost: 0, stallMs: 0 } as const;
    tracker.report({ ...cap, at: 1_000 });
    tracker.report({ ...cap, at: 2_000 });
    expect(entries()).toHaveLength(1);
    // Raised and reached again much later: news.
    tracker.report({ ...cap, at: 600_000 });
    expect(entries()).toHaveLength(2);
  });

  it('keeps other paths’ cuts and other kinds apart', () => {
    const { tracker, entries } = timeline();
    tracker.report(lost);
    tracker.report({ ...lost, from: 'wwan0' });
    tracker.report({ kind: 'cap-reached', from: 'wlan0', to: null, bytesLost: 0, stallMs: 0 });
    expect(entries()).toHaveLength(3);
  });
});
