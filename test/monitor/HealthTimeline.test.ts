import { describe, expect, it } from 'vitest';
import type { ContinuityEvent, PathEvent, PathInfo, PathState } from '../../common/contract.ts';
import { HEALTH_MERGE_MS, HEALTH_STEPS_KEPT, HealthTimeline } from '../../main/monitor/HealthTimeline.ts';

const T0 = Date.UTC(2026, 2, 10, 12);

function wlan(over: Partial<PathInfo> = {}): PathInfo {
  return {
    name: 'wlan0',
    type: 'wifi',
    addresses: ['198.18.1.2'],
    up: true,
    metered: false,
    preference: 'always',
    ...over,
  };
}

/** The monitor's health-changed event for wlan0 (or `path`), `ms` after T0. */
function changed(state: PathState, reason: string, ms: number, path: PathInfo = wlan()): PathEvent {
  return {
    type: 'health-changed',
    name: path.name,
    at: new Date(T0 + ms).toISOString(),
    state,
    reason,
    path,
  };
}

/** The timeline as the dashboard keeps it: an entry told again replaces its first telling. */
function timeline(): { health: HealthTimeline; told: ContinuityEvent[]; entries: () => ContinuityEvent[] } {
  const told: ContinuityEvent[] = [];
  const health = new HealthTimeline((entry) => told.push(entry));
  const entries = (): ContinuityEvent[] => [...new Map(told.map((e) => [e.id, e])).values()];
  return { health, told, entries };
}

const steps = (entry: ContinuityEvent | undefined) => entry?.steps?.map((s) => [s.state, s.at - T0]);

describe('health changes on the continuity timeline (issue 23)', () => {
  it('tells suspect → offline → up as one entry, told again at each step, with each step’s reason', () => {
    const { health, told, entries } = timeline();
    health.observe(changed('suspect', 'No data arrived over wlan0 for 1.1 s.', 0));
    health.observe(changed('offline', 'No data arrived over wlan0 for 1.1 s. Then: no answer.', 900));
    health.observe(changed('up', 'Probes reach the internet over this path.', 67_000));
    expect(told).toHaveLength(3);
    expect(new Set(told.map((e) => e.id)).size).toBe(1);
    const [entry] = entries();
    expect(entry).toMatchObject({
      kind: 'health',
      at: T0,
      from: 'wlan0',
      to: null,
      transferId: null,
      bytesLost: 0,
      stallMs: 0,
      detail: 'No data arrived over wlan0 for 1.1 s. Then: no answer.',
    });
    expect(steps(entry)).toEqual([
      ['suspect', 0],
      ['offline', 900],
      ['up', 67_000],
    ]);
    expect(entry?.steps?.[0]?.reason).toBe('No data arrived over wlan0 for 1.1 s.');
    expect(health.continuity()).toEqual([entry]);
  });

  it('opens an entry for a weak path and for a portal, and none for a path that was fine all along', () => {
    const { health, entries } = timeline();
    const usb = wlan({ name: 'usb0', type: 'tether' });
    health.observe(changed('up', 'Probes reach the internet over this path.', 0));
    health.observe(changed('degraded', 'Slow: 1.0 Mbit/s, 1/40 of its recent 40 Mbit/s.', 1000));
    health.observe(changed('portal', 'Redirected to http://portal.lab/login.', 2000, usb));
    expect(entries().map((e) => [e.from, e.detail, steps(e)])).toEqual([
      ['wlan0', 'Slow: 1.0 Mbit/s, 1/40 of its recent 40 Mbit/s.', [['degraded', 1000]]],
      ['usb0', 'Redirected to http://portal.lab/login.', [['portal', 2000]]],
    ]);
  });

  it('skips "not probed yet" and a link down (no verdicts), and says nothing twice', () => {
    const { health, told } = timeline();
    health.observe(changed('offline', 'The link is down.', 0, wlan({ up: false })));
    health.observe(changed('offline', 'A probe got no answer.', 0));
    health.observe(changed('unknown', 'Not probed yet.', 5000));
    health.observe(changed('offline', 'A probe got no answer.', 5000));
    health.observe(changed('offline', 'No answer from 198.19.0.1:8204 within 0.8 s.', 6000));
    health.observe(changed('unknown', 'Not probed yet.', 7000));
    expect(told.map((e) => steps(e))).toEqual([
      [['offline', 0]],
      [
        ['offline', 0],
        ['offline', 6000],
      ],
    ]);
    expect(told.at(-1)?.detail).toBe('No answer from 198.19.0.1:8204 within 0.8 s.');
  });
});

describe('health entries on the continuity timeline: merging and bounds', () => {
  it('keeps a path that flaps in one entry; trouble after a quiet spell is a new one', () => {
    const { health, entries } = timeline();
    health.observe(changed('suspect', 'A probe got no answer.', 0));
    health.observe(changed('up', 'Probes reach the internet over this path.', 1000));
    health.observe(changed('suspect', 'A probe got no answer.', 1000 + HEALTH_MERGE_MS));
    health.observe(changed('up', 'Probes reach the internet over this path.', 2000 + HEALTH_MERGE_MS));
    // Ended, then trouble again only after HEALTH_MERGE_MS of quiet: its own entry.
    health.observe(changed('degraded', 'Slow.', 2001 + 2 * HEALTH_MERGE_MS));
    expect(entries().map((e) => steps(e))).toEqual([
      [
        ['suspect', 0],
        ['up', 1000],
        ['suspect', 1000 + HEALTH_MERGE_MS],
        ['up', 2000 + HEALTH_MERGE_MS],
      ],
      [['degraded', 2001 + 2 * HEALTH_MERGE_MS]],
    ]);
  });

  it('ignores a path the user never uses, and starts afresh for a path that went away and came back', () => {
    const { health, entries } = timeline();
    health.observe(changed('offline', 'No answer.', 0, wlan({ name: 'eth1', preference: 'never' })));
    health.observe(changed('offline', 'No answer.', 0));
    health.observe({ type: 'path-removed', name: 'wlan0', at: new Date(T0 + 1000).toISOString() });
    health.observe(changed('up', 'Probes reach the internet over this path.', 2000));
    health.observe(changed('suspect', 'A probe got no answer.', 3000));
    expect(entries().map((e) => [e.from, steps(e)])).toEqual([
      ['wlan0', [['offline', 0]]],
      ['wlan0', [['suspect', 3000]]],
    ]);
  });

  it('keeps the first step and the latest ones of a long trouble', () => {
    const { health, entries } = timeline();
    for (let i = 0; i < HEALTH_STEPS_KEPT + 10; i++) {
      health.observe(changed(i % 2 === 0 ? 'suspect' : 'degraded', `step ${i}`, i * 1000));
    }
    const kept = entries()[0]?.steps ?? [];
    expect(kept).toHaveLength(HEALTH_STEPS_KEPT);
    expect(kept[0]?.reason).toBe('step 0');
    expect(kept[1]?.reason).toBe('step 11');
    expect(kept.at(-1)?.reason).toBe(`step ${HEALTH_STEPS_KEPT + 9}`);
  });
});
