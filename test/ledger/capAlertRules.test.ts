// The cap alerts' rules one by one (capAlerts, issue 26): which thresholds a use crosses (at the
// threshold counts), which one speaks and which are stored silent, the key each is stored under
// (once per cycle and cap), the words for each at-cap action, and when "on pace to reach its cap"
// may speak. Cycles and dates are local time: pin a zone before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { describe, expect, it } from 'vitest';
import type { Plan } from '../../common/contract.ts';
import { capAlerts, isCapped, type CappedPlan, type CapReading } from '../../main/ledger/capAlerts.ts';
import { MB, plan } from '../support/ledgerBooks.ts';

const CAP = 100 * MB;
const MARCH = { start: new Date(2026, 2, 1).getTime(), end: new Date(2026, 3, 1).getTime() };
const NOW = new Date(2026, 2, 10, 12).getTime();
const BOTH = [1, 0.75];

function reading(used: number, over: Partial<Plan> = {}, pace: CapReading['pace'] = null): CapReading {
  return {
    path: 'wwan0',
    plan: plan({ capBytes: CAP, ...over }) as CappedPlan,
    cycle: MARCH,
    used,
    now: NOW,
    pace,
  };
}

/** A pace that reaches the 100 MB cap from 30 MB around March 19 and ends the month near 200 MB. */
const PACE = (days: number): CapReading['pace'] => ({
  forecast: { bytes: 200 * MB, lowBytes: 180 * MB, highBytes: 220 * MB },
  days,
});

describe('which plans have a cap to watch', () => {
  it('a cap above nothing; not none, and not a zero cap', () => {
    expect(isCapped(plan({ capBytes: 1 }))).toBe(true);
    expect(isCapped(plan({ capBytes: CAP }))).toBe(true);
    expect(isCapped(plan({ capBytes: 0 }))).toBe(false);
    expect(isCapped(plan({ capBytes: null }))).toBe(false);
  });
});

describe('the thresholds a use crosses', () => {
  it('says nothing a byte below the lowest threshold', () => {
    expect(capAlerts(reading(75 * MB - 1), BOTH)).toEqual([]);
  });

  it('speaks at exactly 75 %, as a warning, keyed by the cycle’s first day and the cap', () => {
    expect(capAlerts(reading(75 * MB), BOTH)).toEqual([
      {
        silent: false,
        alert: {
          key: `cap:wwan0:2026-03-01:${CAP}:0.75`,
          kind: 'cap-threshold',
          severity: 'warning',
          path: 'wwan0',
          title: 'wwan0 used 75% of its data cap',
          message: '75.0 MB of 100 MB used this cycle (it resets on Apr 1, 2026).',
          at: NOW,
        },
      },
    ]);
  });

  it('speaks at exactly the cap, critical, with the lower threshold stored silent', () => {
    const alerts = capAlerts(reading(CAP), BOTH);
    expect(alerts.map(({ alert, silent }) => [alert.key, alert.severity, silent])).toEqual([
      [`cap:wwan0:2026-03-01:${CAP}:1`, 'critical', false],
      [`cap:wwan0:2026-03-01:${CAP}:0.75`, 'warning', true],
    ]);
    expect(alerts[0]?.alert.title).toBe('wwan0 reached its data cap');
    // The silent one says it was passed on the way: "used 75%" beside 100 MB of 100 MB would not add up.
    expect(alerts[1]?.alert).toMatchObject({
      title: 'wwan0 passed 75% of its data cap',
      message:
        'Passed at once on the way further: 100 MB of 100 MB used this cycle (it resets on Apr 1, 2026).',
    });
  });

  it.each([
    ['stop', 'Pathwise stopped using it until the cycle resets.'],
    ['rate-limit', 'Pathwise now limits its own use of it.'],
    ['allow', 'Pathwise keeps using it (your plan allows overage).'],
  ] as const)('says at the cap what a "%s" plan does now', (atCap, words) => {
    const [first] = capAlerts(reading(120 * MB, { atCap }), BOTH);
    expect(first?.alert.message).toBe(
      `120 MB of 100 MB used this cycle (it resets on Apr 1, 2026). ${words}`,
    );
  });

  it('says "in the last 30 days" for a sliding window', () => {
    const [first] = capAlerts(reading(80 * MB, { cycle: { kind: 'rolling30' } }), BOTH);
    expect(first?.alert.message).toBe('80.0 MB of 100 MB used in the last 30 days.');
  });

  it('keys each threshold as the caller names the cycle (a sliding window’s episode)', () => {
    const alerts = capAlerts(
      reading(CAP),
      BOTH,
      (threshold) => `sliding:2026-03-0${threshold === 1 ? 9 : 5}`,
    );
    expect(alerts.map(({ alert }) => alert.key)).toEqual([
      `cap:wwan0:sliding:2026-03-09:${CAP}:1`,
      `cap:wwan0:sliding:2026-03-05:${CAP}:0.75`,
    ]);
  });
});

describe('"on pace to reach its cap"', () => {
  it('waits for three complete days of pace', () => {
    expect(capAlerts(reading(30 * MB, {}, null), BOTH)).toEqual([]);
    expect(capAlerts(reading(30 * MB, {}, PACE(2)), BOTH)).toEqual([]);
    expect(capAlerts(reading(30 * MB, {}, PACE(3)), BOTH)).toHaveLength(1);
  });

  it('says nothing when the pace stays under the cap', () => {
    const under = { forecast: { bytes: 90 * MB, lowBytes: 80 * MB, highBytes: 100 * MB }, days: 5 };
    expect(capAlerts(reading(30 * MB, {}, under), BOTH)).toEqual([]);
  });

  it('tells a "stop" plan when the cap comes and that Pathwise then stops, once per cycle and cap', () => {
    expect(capAlerts(reading(30 * MB, { atCap: 'stop' }, PACE(3)), BOTH)).toEqual([
      {
        silent: false,
        alert: {
          key: `forecast:wwan0:2026-03-01:${CAP}`,
          kind: 'cap-forecast',
          severity: 'warning',
          path: 'wwan0',
          at: NOW,
          title: 'wwan0 is on pace to reach its cap',
          message:
            'At this pace wwan0 reaches its 100 MB cap around Mar 19, 2026, before the cycle ends on Mar 31, 2026. ' +
            'Pathwise will then stop using it until the cycle resets.',
        },
      },
    ]);
  });

  it('tells a "rate-limit" plan that Pathwise then slows down', () => {
    const [forecast] = capAlerts(reading(30 * MB, { atCap: 'rate-limit' }, PACE(3)), BOTH);
    expect(forecast?.alert.title).toBe('wwan0 is on pace to reach its cap');
    expect(forecast?.alert.message).toBe(
      'At this pace wwan0 reaches its 100 MB cap around Mar 19, 2026, before the cycle ends on Mar 31, 2026. ' +
        'Pathwise will then slow its own use of it.',
    );
  });

  it('tells an "allow" plan how far over the cap it will go', () => {
    const [forecast] = capAlerts(reading(30 * MB, { atCap: 'allow' }, PACE(3)), BOTH);
    expect(forecast?.alert).toMatchObject({
      key: `forecast:wwan0:2026-03-01:${CAP}`,
      title: 'wwan0 is on pace to go over its cap',
      message:
        'At this pace wwan0 will use about 200 MB by Mar 31, 2026, over its 100 MB cap (around Mar 19, 2026).',
    });
  });

  it('comes after the threshold alerts it joins', () => {
    const alerts = capAlerts(reading(80 * MB, {}, PACE(4)), BOTH);
    expect(alerts.map(({ alert, silent }) => [alert.kind, silent])).toEqual([
      ['cap-threshold', false],
      ['cap-forecast', false],
    ]);
  });
});
