/**
 * The one status rule (common/status.ts) at a cap: "near" below it, "reached" at and over it
 * (issue 24: the sidebar and tray said "Near a data cap" at 101%), and what the at-cap words say
 * by the plan's rule.
 */
import { describe, expect, it } from 'vitest';
import type { PathInfo, PathUsage, Plan, UsageSummary } from '../../common/contract.ts';
import { capReachedText, overallStatus, pathsAtCap, STATUS_TEXT } from '../../common/status.ts';

const MB = 1e6;
// The cycle ends on 1 January of next year, in local time: "until Jan 1, <year>" or "until Jan 1".
const cycle = {
  start: new Date(2026, 11, 1).toISOString(),
  end: new Date(2027, 0, 1).toISOString(),
};

const wifi: PathInfo = {
  name: 'wlan0',
  type: 'wifi',
  addresses: ['198.18.1.2'],
  up: true,
  metered: false,
  preference: 'always',
};

function used(name: string, allBytes: number, capBytes: number | null = 50 * MB): PathUsage {
  return {
    name,
    appBytes: allBytes,
    allBytes,
    capBytes,
    cost: 0,
    forecastBytes: allBytes,
    forecastCost: 0,
    energyWh: 0,
    energyBatteryPct: null,
    currency: null,
    cycle,
  };
}

const summary = (...paths: PathUsage[]): UsageSummary => ({
  cycle,
  battery: null,
  paths,
});

function plan(atCap: Plan['atCap'], over: Partial<Plan> = {}): Plan {
  return {
    capBytes: 50 * MB,
    cycle: { kind: 'monthly', startDay: 1 },
    pricePerGb: 0,
    overagePricePerGb: 0,
    atCap,
    rateLimitBps: atCap === 'rate-limit' ? 125_000 : null,
    currency: 'USD',
    ...over,
  };
}

describe('the status word at a data cap', () => {
  it('is near the cap at 99 %, and the cap reached at 100 % and at 101 %', () => {
    expect(overallStatus([wifi], summary(used('wwan0', 49.5 * MB)))).toBe('near-cap');
    expect(overallStatus([wifi], summary(used('wwan0', 50 * MB)))).toBe('at-cap');
    expect(overallStatus([wifi], summary(used('wwan0', 50.5 * MB)))).toBe('at-cap');
  });

  it('says the cap is reached whatever the warning thresholds, and beats offline and near-cap paths', () => {
    expect(overallStatus([wifi], summary(used('wwan0', 50 * MB)), [0.9])).toBe('at-cap');
    expect(overallStatus([{ ...wifi, up: false }], summary(used('wwan0', 51 * MB)))).toBe('at-cap');
    expect(overallStatus([wifi], summary(used('usb0', 40 * MB), used('wwan0', 60 * MB)))).toBe('at-cap');
  });

  it('counts no cap (null or 0) as reached', () => {
    expect(overallStatus([wifi], summary(used('wwan0', 60 * MB, null), used('usb0', 1, 0)))).toBe('ok');
    expect(pathsAtCap(summary(used('wwan0', 60 * MB, null), used('usb0', 1, 0)))).toEqual([]);
    expect(pathsAtCap(undefined)).toEqual([]);
  });

  it('titles it "Data cap reached" and "Near a data cap" only below', () => {
    expect(STATUS_TEXT['at-cap'].title).toBe('Data cap reached');
    expect(STATUS_TEXT['near-cap'].title).toBe('Near a data cap');
  });
});

describe('the words for a cap reached, by the plan', () => {
  const over = summary(used('wlan0', 10 * MB, null), used('wwan0', 50.5 * MB));

  it('names the path and says Pathwise stops using it, on a plan that stops at the cap', () => {
    expect(capReachedText(over, { wwan0: plan('stop') })).toEqual({
      title: 'Data cap reached',
      detail: expect.stringMatching(/^wwan0 is at its 50 MB cap: Pathwise no longer uses it until Jan 1\b/),
    });
  });

  it('says Pathwise slows down on a plan that slows at the cap, and what it may cost on one that goes on', () => {
    expect(capReachedText(over, { wwan0: plan('rate-limit') })?.detail).toMatch(
      /^wwan0 is at its 50 MB cap: Pathwise slows its own use of it until Jan 1\b/,
    );
    expect(capReachedText(over, { wwan0: plan('allow') })?.detail).toMatch(
      /^wwan0 is at its 50 MB cap: use beyond it may cost extra until Jan 1\b/,
    );
    // No plan known (a cap from elsewhere): what may happen, not a promise to stop.
    expect(capReachedText(over, undefined)?.detail).toMatch(/use beyond it may cost extra/);
  });

  it('says a sliding window frees room as days leave it', () => {
    const rolling = plan('stop', { cycle: { kind: 'rolling30' } });
    expect(capReachedText(over, { wwan0: rolling })?.detail).toBe(
      'wwan0 is at its 50 MB cap: Pathwise no longer uses it as days leave its 30-day window.',
    );
  });

  it('is null below the cap', () => {
    expect(capReachedText(summary(used('wwan0', 49.5 * MB)), { wwan0: plan('stop') })).toBeNull();
  });
});
