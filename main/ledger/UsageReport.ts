import type {
  Battery,
  PathType,
  PathUsage,
  Plan,
  UsageHistoryQuery,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';
import { cycleAt, type Cycle } from './calendar.ts';
import type { CycleTotals } from './CycleTotals.ts';
import { energyWh } from './energy.ts';
import type { LedgerSql } from './LedgerSql.ts';
import { usedBytes } from './usageTotals.ts';

const GB = 1e9;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Where a report's figures come from besides the database. */
export interface UsageReportSources {
  cycles: CycleTotals;
  plans: () => Record<string, Plan>;
  battery: () => Battery | null;
  /** Interfaces the ledger has counters for. */
  pathNames: () => Iterable<string>;
  pathType: (name: string) => PathType | null;
}

/**
 * What the usage view and `pathwise usage` read: per path this cycle's bytes, cost, forecast and
 * energy, and the rows behind the charts. Reads only; the ledger flushes before asking, so the
 * figures include the last seconds.
 */
export class UsageReport {
  private readonly db: LedgerSql;
  private readonly sources: UsageReportSources;

  constructor(db: LedgerSql, sources: UsageReportSources) {
    this.db = db;
    this.sources = sources;
  }

  summary(now: number): UsageSummary {
    const plans = this.sources.plans();
    const names = new Set<string>([...this.sources.pathNames(), ...Object.keys(plans)]);
    const battery = this.sources.battery();
    const defaultCycle = cycleAt(Object.values(plans)[0] ?? null, now);
    // Paths with rows from about the last cycle are listed even with no counters stored (app bytes only).
    for (const row of this.db
      .statement('SELECT DISTINCT path FROM usage_day WHERE t >= ?')
      .all(defaultCycle.start - 31 * DAY) as Array<{ path: string }>) {
      names.add(row.path);
    }
    const paths = [...names].sort().map((name) => this.pathUsage(name, plans[name] ?? null, now, battery));
    return { paths, cycle: iso(defaultCycle), battery };
  }

  history(query: UsageHistoryQuery): UsagePoint[] {
    const table = { minute: 'usage_minute', hour: 'usage_hour', day: 'usage_day' }[query.resolution];
    const filter = query.paths?.length ? ` AND path IN (${query.paths.map(() => '?').join(',')})` : '';
    const rows = this.db
      .statement(
        `SELECT t, path, app_rx + app_tx AS appBytes, all_rx + all_tx AS allBytes FROM ${table}
         WHERE t >= ? AND t < ?${filter} ORDER BY t, path LIMIT 200000`,
      )
      .all(query.from, query.to, ...(query.paths ?? [])) as Array<UsagePoint>;
    return rows.map((r) => ({
      t: r.t,
      path: r.path,
      appBytes: r.appBytes,
      allBytes: Math.max(r.allBytes, r.appBytes),
    }));
  }

  private pathUsage(name: string, plan: Plan | null, now: number, battery: Battery | null): PathUsage {
    const cycle = cycleAt(plan, now);
    const totals = this.sources.cycles.of(name, plan, now);
    const used = usedBytes(totals);
    // Less than an hour in, the pace says nothing yet: extrapolate as if an hour had passed.
    const elapsed = Math.max(HOUR, now - cycle.start);
    const forecastBytes = Math.round(used + (used / elapsed) * Math.max(0, cycle.end - now));
    const energy = energyWh(this.sources.pathType(name), {
      rxBytes: Math.max(totals.allRx, totals.appRx),
      txBytes: Math.max(totals.allTx, totals.appTx),
      activeS: totals.activeS,
      bursts: totals.bursts,
    });
    return {
      name,
      appBytes: totals.appRx + totals.appTx,
      allBytes: used,
      capBytes: plan?.capBytes ?? null,
      cost: plan ? costOf(plan, used) : 0,
      forecastBytes,
      forecastCost: plan ? costOf(plan, forecastBytes) : 0,
      energyWh: energy,
      energyBatteryPct: battery?.present && battery.capacityWh ? (energy / battery.capacityWh) * 100 : null,
      currency: plan?.currency ?? null,
      cycle: iso(cycle),
    };
  }
}

/** The plan's price for `bytes`: the per-GB price within the cap, the overage price beyond it. */
function costOf(plan: Plan, bytes: number): number {
  if (plan.capBytes === null) return (bytes / GB) * plan.pricePerGb;
  const within = Math.min(bytes, plan.capBytes);
  const over = Math.max(0, bytes - plan.capBytes);
  return (within / GB) * plan.pricePerGb + (over / GB) * plan.overagePricePerGb;
}

function iso(cycle: Cycle): { start: string; end: string } {
  return { start: new Date(cycle.start).toISOString(), end: new Date(cycle.end).toISOString() };
}
