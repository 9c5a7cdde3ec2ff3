import type { Plan, UsagePeriod } from '../../common/contract.ts';
import { addDays, cycleAt, dayKey, dayStart, localDate } from './calendar.ts';
import { bytesCost, cycleCost } from './cost.ts';
import type { LedgerSql } from './LedgerSql.ts';

export type PeriodKind = 'day' | 'month' | 'cycle';

interface Span {
  label: string;
  start: number;
  end: number;
}

interface DayRow {
  path: string;
  t: number;
  app: number;
  all: number;
  est: number;
}

/** The last `count` local days, calendar months or billing cycles up to now, oldest first. */
function spans(kind: PeriodKind, count: number, now: number, plan: Plan | null): Span[] {
  const out: Span[] = [];
  if (kind === 'day') {
    for (let i = count - 1; i >= 0; i--) {
      const start = addDays(dayStart(now), -i);
      out.push({ label: localDate(start), start, end: addDays(start, 1) });
    }
  } else if (kind === 'month') {
    const d = new Date(now);
    for (let i = count - 1; i >= 0; i--) {
      const start = new Date(d.getFullYear(), d.getMonth() - i, 1).getTime();
      const end = new Date(d.getFullYear(), d.getMonth() - i + 1, 1).getTime();
      out.push({ label: localDate(start).slice(0, 7), start, end });
    }
  } else {
    let cycle = cycleAt(plan, now);
    for (let i = 0; i < count; i++) {
      out.unshift({ label: localDate(cycle.start), start: cycle.start, end: cycle.end });
      cycle = cycleAt(plan, addDays(cycle.start, -1));
    }
  }
  return out;
}

/**
 * History as vnStat and the OS data-usage pages show it: per path, use by local day, calendar
 * month or billing cycle (the plan's; a calendar month without one), with the bytes that are
 * estimates, the user's corrections, and what the plan charges for it. Read from the day rows,
 * which are kept forever and keyed by date, so any span of whole days sums exactly.
 */
export class UsagePeriods {
  private readonly db: LedgerSql;

  constructor(db: LedgerSql) {
    this.db = db;
  }

  list(kind: PeriodKind, count: number, now: number, plans: Record<string, Plan>): UsagePeriod[] {
    const calendar = spans(kind, count, now, null);
    const from = Math.min(
      calendar[0]?.start ?? now,
      ...Object.values(plans).map((p) => spans(kind, count, now, p)[0]?.start ?? now),
    );
    const rows = this.db
      .statement(
        `SELECT path, t, app_rx + app_tx AS app, all_rx + all_tx AS "all", est_bytes AS est
         FROM usage_day WHERE t >= ? ORDER BY t`,
      )
      .all(dayKey(from)) as unknown as DayRow[];
    const adjusts = this.db
      .statement('SELECT path, day AS t, bytes FROM usage_adjust WHERE day >= ?')
      .all(dayKey(from)) as Array<{ path: string; t: number; bytes: number }>;
    const paths = [...new Set([...rows.map((r) => r.path), ...Object.keys(plans)])].sort();
    const out: UsagePeriod[] = [];
    for (const path of paths) {
      const plan = plans[path] ?? null;
      for (const span of kind === 'cycle' ? spans(kind, count, now, plan) : calendar) {
        const [first, last] = [dayKey(span.start), dayKey(span.end)];
        const inSpan = <T extends { path: string; t: number }>(r: T): boolean =>
          r.path === path && r.t >= first && r.t < last;
        const mine = rows.filter(inSpan);
        const app = mine.reduce((n, r) => n + r.app, 0);
        const adjusted = adjusts.filter(inSpan).reduce((n, r) => n + r.bytes, 0);
        const all = Math.max(
          0,
          Math.max(
            app,
            mine.reduce((n, r) => n + r.all, 0),
          ) + adjusted,
        );
        out.push({
          path,
          label: span.label,
          start: new Date(span.start).toISOString(),
          end: new Date(span.end).toISOString(),
          appBytes: app,
          allBytes: all,
          estimatedBytes: mine.reduce((n, r) => n + r.est, 0),
          adjustedBytes: adjusted,
          cost: plan ? (kind === 'cycle' ? cycleCost(plan, all) : bytesCost(plan, all)) : null,
          currency: plan?.currency ?? null,
        });
      }
    }
    return out;
  }
}
