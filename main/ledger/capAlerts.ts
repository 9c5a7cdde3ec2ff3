import type { Plan } from '../../common/contract.ts';
import { formatBytes } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate, type Cycle } from './calendar.ts';

const DAY = 86_400_000;

/** A plan with a cap to watch (capBytes > 0). */
export type CappedPlan = Plan & { capBytes: number };

export function isCapped(plan: Plan): plan is CappedPlan {
  return plan.capBytes !== null && plan.capBytes > 0;
}

/**
 * What a capped path's use this cycle calls for: the thresholds crossed (keyed by `cycleKey` and
 * the cap, so each fires once per cycle, and again for a cap the user raised mid-cycle) and,
 * after a day of data in a cycle that ends, a warning when the pace goes over the cap. Only the
 * highest threshold crossed speaks; the lower ones come back `silent`, to be stored as already
 * read. `thresholds` are fractions of the cap, highest first.
 */
export function capAlerts(
  path: string,
  plan: CappedPlan,
  cycle: Cycle,
  used: number,
  thresholds: readonly number[],
  now: number,
  cycleKey: (threshold: number) => string = () => localDate(cycle.start),
): Array<{ alert: AlertDraft; silent: boolean }> {
  // The cap is part of every key: after 100 → 200 MB, reaching 200 MB is news (issue 20 case 4).
  const keyOf = (threshold: number): string => `${cycleKey(threshold)}:${plan.capBytes}`;
  const crossed = thresholds.filter((t) => used >= t * plan.capBytes);
  const alerts = crossed.map((threshold, index) => ({
    alert: thresholdAlert(path, plan, { cycle, key: keyOf(threshold) }, used, threshold, now),
    silent: index > 0,
  }));
  const elapsed = now - cycle.start;
  // A sliding window has no end to forecast to.
  if (plan.cycle.kind !== 'rolling30' && elapsed >= DAY && used < plan.capBytes) {
    const forecast = used + (used / elapsed) * (cycle.end - now);
    if (forecast > plan.capBytes) {
      alerts.push({
        alert: {
          key: `forecast:${path}:${keyOf(0)}`,
          kind: 'cap-forecast',
          severity: 'warning',
          path,
          title: `${path} is on pace to go over its cap`,
          message: `At this pace ${path} will use about ${formatBytes(forecast)} by ${localDate(cycle.end)}, over its ${formatBytes(plan.capBytes)} cap.`,
          at: now,
        },
        silent: false,
      });
    }
  }
  return alerts;
}

function thresholdAlert(
  path: string,
  plan: CappedPlan,
  { cycle, key }: { cycle: Cycle; key: string },
  used: number,
  threshold: number,
  now: number,
): AlertDraft {
  const pct = Math.round(threshold * 100);
  const atCap = threshold >= 1;
  return {
    key: `cap:${path}:${key}:${threshold}`,
    kind: 'cap-threshold',
    severity: atCap ? 'critical' : 'warning',
    path,
    title: atCap ? `${path} reached its data cap` : `${path} used ${pct}% of its data cap`,
    message:
      `${formatBytes(used)} of ${formatBytes(plan.capBytes)} used ${usedWhen(plan, cycle)}.` +
      (atCap ? ` ${atCapText(plan)}` : ''),
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
  return `this cycle (it resets on ${localDate(cycle.end)})`;
}
