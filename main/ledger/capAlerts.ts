import type { Plan } from '../../common/contract.ts';
import { formatBytes, formatDay } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate, type Cycle } from './calendar.ts';
import { ALERT_MIN_DAYS, reachesCapAt, type ByteForecast } from './forecast.ts';

/** A plan with a cap to watch (capBytes > 0). */
export type CappedPlan = Plan & { capBytes: number };

export function isCapped(plan: Plan): plan is CappedPlan {
  return plan.capBytes !== null && plan.capBytes > 0;
}

/** A capped path's use this cycle, as the cap alerts read it. */
export interface CapReading {
  path: string;
  plan: CappedPlan;
  cycle: Cycle;
  used: number;
  now: number;
  /**
   * Where the cycle ends at the recent pace (forecast.ts), before the plan's rule at the cap, and
   * how many complete days that pace is taken from; null on a sliding window or without a full day.
   */
  pace: { forecast: ByteForecast; days: number } | null;
}

/**
 * What a capped path's use this cycle calls for: the thresholds crossed (keyed by `cycleKey` and
 * the cap, so each fires once per cycle, and again for a cap the user raised mid-cycle) and,
 * once the pace rests on ALERT_MIN_DAYS complete days, a warning when it reaches the cap before the
 * cycle ends, worded by the plan's rule at the cap (stop, slow down, or go over). Only the highest
 * threshold crossed speaks; the lower ones come back `silent`, to be stored as already read.
 * `thresholds` are fractions of the cap, highest first.
 */
export function capAlerts(
  reading: CapReading,
  thresholds: readonly number[],
  cycleKey: (threshold: number) => string = () => localDate(reading.cycle.start),
): Array<{ alert: AlertDraft; silent: boolean }> {
  const { path, plan, cycle, used, now } = reading;
  // The cap is part of every key: after 100 → 200 MB, reaching 200 MB is news (issue 20 case 4).
  const keyOf = (threshold: number): string => `${cycleKey(threshold)}:${plan.capBytes}`;
  const crossed = thresholds.filter((t) => used >= t * plan.capBytes);
  const alerts = crossed.map((threshold, index) => ({
    // Below the highest crossed: passed on the way there in one go, kept (its key) but silent.
    alert: thresholdAlert(
      path,
      plan,
      { cycle, key: keyOf(threshold), onTheWay: index > 0 },
      used,
      threshold,
      now,
    ),
    silent: index > 0,
  }));
  const forecast = forecastAlert(reading, `forecast:${path}:${keyOf(0)}`);
  if (forecast) alerts.push({ alert: forecast, silent: false });
  return alerts;
}

/** "On pace to reach its cap": only with enough history, and in the words of the plan's rule. */
function forecastAlert({ path, plan, cycle, used, now, pace }: CapReading, key: string): AlertDraft | null {
  if (!pace || pace.days < ALERT_MIN_DAYS) return null;
  const at = reachesCapAt(pace.forecast, used, plan.capBytes, now, cycle.end);
  if (at === null) return null;
  const cap = formatBytes(plan.capBytes);
  const when = `around ${formatDay(at)}`;
  const draft = { key, kind: 'cap-forecast' as const, severity: 'warning' as const, path, at: now };
  if (plan.atCap === 'allow') {
    return {
      ...draft,
      title: `${path} is on pace to go over its cap`,
      message: `At this pace ${path} will use about ${formatBytes(pace.forecast.bytes)} by ${formatDay(cycle.end - 1)}, over its ${cap} cap (${when}).`,
    };
  }
  return {
    ...draft,
    title: `${path} is on pace to reach its cap`,
    message:
      `At this pace ${path} reaches its ${cap} cap ${when}, before the cycle ends on ${formatDay(cycle.end - 1)}. ` +
      (plan.atCap === 'stop'
        ? 'Pathwise will then stop using it until the cycle resets.'
        : 'Pathwise will then slow its own use of it.'),
  };
}

function thresholdAlert(
  path: string,
  plan: CappedPlan,
  { cycle, key, onTheWay }: { cycle: Cycle; key: string; onTheWay: boolean },
  used: number,
  threshold: number,
  now: number,
): AlertDraft {
  const pct = Math.round(threshold * 100);
  const atCap = threshold >= 1;
  const title = atCap ? `${path} reached its data cap` : `${path} used ${pct}% of its data cap`;
  const amount = `${formatBytes(used)} of ${formatBytes(plan.capBytes)} used ${usedWhen(plan, cycle)}.`;
  return {
    key: `cap:${path}:${key}:${threshold}`,
    kind: 'cap-threshold',
    severity: atCap ? 'critical' : 'warning',
    path,
    // "used 75%" beside "5.0 MB of 5.0 MB used" would not add up: it was passed on the way.
    title: onTheWay ? `${path} passed ${pct}% of its data cap` : title,
    message: onTheWay
      ? `Passed at once on the way further: ${amount}`
      : amount + (atCap ? ` ${atCapText(plan)}` : ''),
    at: now,
  };
}

function atCapText(plan: Plan): string {
  if (plan.atCap === 'stop') return 'Pathwise stopped using it until the cycle resets.';
  if (plan.atCap === 'rate-limit') return 'Pathwise now limits its own use of it.';
  return 'Pathwise keeps using it (your plan allows overage).';
}

function usedWhen(plan: Plan, cycle: Cycle): string {
  if (plan.cycle.kind === 'rolling30') return 'in the last 30 days';
  // The cycle's end is the next cycle's first midnight: it resets on that day.
  return `this cycle (it resets on ${formatDay(cycle.end)})`;
}
