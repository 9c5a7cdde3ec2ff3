import type {
  Battery,
  PathType,
  PathUsage,
  Plan,
  UsageHistoryQuery,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';
import { cycleAt, dayKey, dayOfKey, isSliding, type Cycle } from './calendar.ts';
import type { CycleTotals } from './CycleTotals.ts';
import { cycleCost } from './cost.ts';
import { ActivityRows } from './activityRows.ts';
import { estimateEnergy, needsRows, radioFor } from './energy.ts';
import { forecastBytes, paceDays, underAtCap } from './forecast.ts';
import type { LedgerSql } from './LedgerSql.ts';
import { usedBytes, type Totals } from './usageTotals.ts';

const DAY = 86_400_000;

/** Where a report's figures come from besides the database. */
export interface UsageReportSources {
  cycles: CycleTotals;
  plans: () => Record<string, Plan>;
  battery: () => Battery | null;
  /** Interfaces the ledger has counters for. */
  pathNames: () => Iterable<string>;
  pathType: (name: string) => PathType | null;
  /** A VPN's path under it (null: not known which); undefined for a path that rides on none. */
  ridesOn: (name: string) => string | null | undefined;
  /** The key of the plan a path is on (found by what is paid for on it: planIdentity.ts); by name without. */
  planKeyOf?: (name: string) => string | null;
  /** Whether an interface of this name is here now. */
  isHere?: (name: string) => boolean;
}

/** Interfaces whose rows are not a path's use: loopback, bridges and veths (older ledgers kept them). */
const NOT_PATHS: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual']);

/**
 * What the usage view and `pathwise usage` read: per path this cycle's bytes, cost, forecast and
 * energy, and the rows behind the charts. Reads only; the ledger flushes before asking, so the
 * figures include the last seconds.
 */
export class UsageReport {
  private readonly db: LedgerSql;
  private readonly sources: UsageReportSources;
  private readonly activity: ActivityRows;

  constructor(db: LedgerSql, sources: UsageReportSources) {
    this.db = db;
    this.sources = sources;
    this.activity = new ActivityRows(db);
  }

  summary(now: number): UsageSummary {
    const plans = this.sources.plans();
    const names = new Set<string>([...this.sources.pathNames(), ...Object.keys(plans)]);
    const battery = this.sources.battery();
    const defaultCycle = cycleAt(Object.values(plans)[0] ?? null, now);
    // Paths with rows from about the last cycle are listed even with no counters stored (app bytes only).
    for (const row of this.db
      .statement('SELECT DISTINCT path FROM usage_day WHERE t >= ?')
      .all(dayKey(defaultCycle.start) - 31 * DAY) as Array<{ path: string }>) {
      names.add(row.path);
    }
    const listed = [...names].filter(
      (name) => plans[name] || !NOT_PATHS.has(this.sources.pathType(name) ?? 'unknown'),
    );
    const keyOf = (name: string): string | null =>
      this.sources.planKeyOf ? this.sources.planKeyOf(name) : plans[name] ? name : null;
    const keys = new Map(listed.map((name) => [name, keyOf(name)]));
    // A plan's old name, gone now, is not listed beside the interface that carries the plan now
    // (wwan0 back as wwan1): that one's use is the plan's, the old name's rows included.
    const moved = new Set(
      [...keys].filter(([name, key]) => key !== null && key !== name).map(([, key]) => key),
    );
    const shown = listed.filter(
      (name) => keys.get(name) === name || !moved.has(name) || this.sources.isHere?.(name) === true,
    );
    const paths = shown.sort().map((name) => {
      const key = keys.get(name) ?? null;
      return this.pathUsage(name, key === null ? null : (plans[key] ?? null), now, battery, key ?? name);
    });
    // A VPN's bytes crossed the path under it too: each byte is counted once, on that path.
    const totalBytes = paths.reduce((sum, p) => sum + (p.ridesOn === undefined ? p.allBytes : 0), 0);
    return { paths, cycle: iso(defaultCycle), battery, totalBytes };
  }

  history(query: UsageHistoryQuery): UsagePoint[] {
    const table = { minute: 'usage_minute', hour: 'usage_hour', day: 'usage_day' }[query.resolution];
    const filter = query.paths?.length ? ` AND path IN (${query.paths.map(() => '?').join(',')})` : '';
    // Day rows are keyed by date: ask for the dates whose local midnight (now) is in the range.
    const byDay = query.resolution === 'day';
    const from = byDay ? keyAtOrAfter(query.from) : query.from;
    const to = byDay ? keyAtOrAfter(query.to) : query.to;
    const rows = this.db
      .statement(
        `SELECT t, path, app_rx + app_tx AS appBytes, all_rx + all_tx AS allBytes,
                est_bytes AS estimatedBytes FROM ${table}
         WHERE t >= ? AND t < ?${filter} ORDER BY t, path LIMIT 200000`,
      )
      .all(from, to, ...(query.paths ?? [])) as Array<UsagePoint>;
    return rows.map((r) => ({
      t: byDay ? dayOfKey(r.t) : r.t,
      path: r.path,
      appBytes: r.appBytes,
      allBytes: Math.max(r.allBytes, r.appBytes),
      ...(r.estimatedBytes ? { estimatedBytes: r.estimatedBytes } : {}),
    }));
  }

  /** Where the cycle ends at the recent pace, under the plan's rule at the cap; null without a full day. */
  private forecast(name: string, plan: Plan | null, used: number, now: number, cycle: Cycle) {
    const days = paceDays((from, to) => this.sources.cycles.daily(name, from, to), now);
    const forecast = forecastBytes(used, days, now, cycle.end);
    return forecast && underAtCap(forecast, plan, used, now, cycle.end);
  }

  /** One path's line; `key` is its plan's (the plan's use is counted under it), else its name. */
  private pathUsage(
    name: string,
    plan: Plan | null,
    now: number,
    battery: Battery | null,
    key = name,
  ): PathUsage {
    const cycle = cycleAt(plan, now);
    const totals = this.sources.cycles.of(key, plan, now);
    const used = usedBytes(totals);
    const forecast = isSliding(plan) ? null : this.forecast(key, plan, used, now, cycle);
    const type = this.sources.pathType(name);
    const ridesOn = this.sources.ridesOn(name) ?? (type === 'vpn' ? null : undefined);
    return {
      name,
      appBytes: totals.appRx + totals.appTx,
      allBytes: used,
      capBytes: plan?.capBytes ?? null,
      cost: plan ? cycleCost(plan, used) : 0,
      forecastBytes: forecast?.bytes ?? used,
      forecastCost: plan ? cycleCost(plan, forecast?.bytes ?? used) : 0,
      forecast: forecast && {
        lowBytes: forecast.lowBytes,
        highBytes: forecast.highBytes,
        lowCost: plan ? cycleCost(plan, forecast.lowBytes) : 0,
        highCost: plan ? cycleCost(plan, forecast.highBytes) : 0,
      },
      ...this.energy(name, type, totals, cycle, now, battery),
      currency: plan?.currency ?? null,
      cycle: iso(cycle),
      ...(totals.estBytes > 0 ? { estimatedBytes: totals.estBytes } : {}),
      ...(totals.adjBytes !== 0 ? { adjustedBytes: totals.adjBytes } : {}),
      ...(plan?.monthlyFee ? { feeCost: plan.monthlyFee } : {}),
      ...(ridesOn !== undefined ? { ridesOn } : {}),
    };
  }

  /**
   * Radio energy this cycle as a range (see energy.ts), and on whose battery: a share of this
   * machine's only when it is this machine's radio.
   */
  private energy(
    name: string,
    type: PathType | null,
    totals: Totals,
    cycle: Cycle,
    now: number,
    battery: Battery | null,
  ) {
    const activity = {
      rxBytes: Math.max(totals.allRx, totals.appRx),
      txBytes: Math.max(totals.allTx, totals.appTx),
      activeS: totals.activeS,
      bursts: totals.bursts,
    };
    const radio = radioFor(type)?.radio;
    const rows = radio && needsRows(type) ? this.activity.fold(name, radio, cycle.start, now) : null;
    const e = estimateEnergy(type, activity, rows, now);
    const capacityWh = battery?.present ? battery.capacityWh : null;
    return {
      energyWh: e.wh,
      energyBatteryPct: e.on === 'laptop' && capacityWh ? (e.wh / capacityWh) * 100 : null,
      energyLowWh: e.lowWh,
      energyHighWh: e.highWh,
      energyOn: e.on,
    } satisfies Partial<PathUsage>;
  }
}

/** The key of the first date whose local midnight is at or after `t`. */
function keyAtOrAfter(t: number): number {
  const key = dayKey(t);
  return dayOfKey(key) >= t ? key : key + DAY;
}

function iso(cycle: Cycle): { start: string; end: string } {
  return { start: new Date(cycle.start).toISOString(), end: new Date(cycle.end).toISOString() };
}
