import type { Plan } from '../../common/contract.ts';
import type { AlertStore } from './AlertStore.ts';
import { addDays, cycleAt, dayStart, isSliding, localDate, type Cycle } from './calendar.ts';
import { capAlerts, isCapped, type CapReading } from './capAlerts.ts';
import { forecastBytes, paceDays } from './forecast.ts';
import type { CycleTotals } from './CycleTotals.ts';
import { usedBytes } from './usageTotals.ts';

/** How far back a sliding window's time over a threshold is traced to where it began. */
const EPISODE_LOOKBACK_DAYS = 120;

/** What the cap alerts read besides the database. */
export interface CapWatchSources {
  plans: () => Record<string, Plan>;
  /** Fractions of the cap (settings.capThresholds). */
  thresholds: () => number[];
}

/**
 * After each flush: every capped path's use this cycle against its thresholds (see `capAlerts`).
 * A monthly or prepaid cycle resets, so a threshold speaks once per cycle (and cap). A sliding
 * 30-day window never resets: its thresholds speak once per episode over them, the episode being
 * named by the day the window went over and stayed over (traced back through the day rows), so
 * 110 MB over a 100 MB cap is said once, not every day until it slides out (issue 20 case 5).
 */
export class CapWatch {
  private readonly cycles: CycleTotals;
  private readonly alerts: AlertStore;
  private readonly sources: CapWatchSources;

  constructor(cycles: CycleTotals, alerts: AlertStore, sources: CapWatchSources) {
    this.cycles = cycles;
    this.alerts = alerts;
    this.sources = sources;
  }

  check(now: number): void {
    const thresholds = [...this.sources.thresholds()].sort((a, b) => b - a);
    for (const [path, plan] of Object.entries(this.sources.plans())) {
      if (!isCapped(plan)) continue;
      const used = usedBytes(this.cycles.of(path, plan, now));
      const cycle = cycleAt(plan, now);
      const cycleKey = isSliding(plan)
        ? (threshold: number) => `sliding:${this.episode(path, threshold * plan.capBytes, now)}`
        : () => localDate(cycle.start);
      const reading = { path, plan, cycle, used, now, pace: this.pace(path, plan, used, now, cycle) };
      for (const { alert, silent } of capAlerts(reading, thresholds, cycleKey)) {
        this.alerts.raise(alert, silent);
      }
    }
  }

  /** The pace the usage view forecasts from (forecast.ts), and how many complete days it rests on. */
  private pace(path: string, plan: Plan, used: number, now: number, cycle: Cycle): CapReading['pace'] {
    // A sliding window has no end to forecast to; at the cap, the threshold alert has said it.
    if (isSliding(plan) || used >= (plan.capBytes ?? Infinity)) return null;
    const days = paceDays((from, to) => this.cycles.daily(path, from, to), now);
    const forecast = forecastBytes(used, days, now, cycle.end);
    return forecast && { forecast, days: days.length };
  }

  /** The local day the sliding window last went over `limit` and has stayed over since. */
  private episode(path: string, limit: number, now: number): string {
    const today = dayStart(now);
    const from = addDays(today, -(EPISODE_LOOKBACK_DAYS + 29));
    const daily = this.cycles.daily(path, from, addDays(today, 1));
    // prefix[i] = use on the days before day i (day 0 = `from`); today is the last day.
    const prefix = [0];
    for (const used of daily) prefix.push((prefix.at(-1) as number) + used);
    const last = daily.length - 1;
    const windowEnding = (i: number): number =>
      (prefix[i + 1] as number) - (prefix[Math.max(0, i - 29)] as number);
    let start = last;
    while (start > 29 && windowEnding(start - 1) >= limit) start--;
    return localDate(addDays(from, start));
  }
}
