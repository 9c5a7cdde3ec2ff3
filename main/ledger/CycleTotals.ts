import type { StatementSync } from 'node:sqlite';
import type { Plan } from '../../common/contract.ts';
import { addDays, cycleAt, dayKey, daysBetween, type Cycle } from './calendar.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { PendingUsage } from './PendingUsage.ts';
import { addTotals, usedBytes, ZERO, type Totals } from './usageTotals.ts';

/**
 * A path's totals in its current billing cycle, as budgets, summaries and cap alerts read them:
 * the day rows summed once and kept until a flush writes more, plus what is still pending — so
 * the engine's budget counts bytes moved a moment ago.
 */
export class CycleTotals {
  private readonly pending: PendingUsage;
  private readonly sumDays: StatementSync;
  private readonly perDay: StatementSync;
  private readonly sumAdjust: StatementSync;
  private readonly addAdjust: StatementSync;
  /** Flushed totals this cycle per path, with the cycle they are for. */
  private readonly cache = new Map<string, { cycle: Cycle; totals: Totals }>();

  constructor(db: LedgerSql, pending: PendingUsage) {
    this.pending = pending;
    this.sumDays = db.prepare(
      `SELECT COALESCE(SUM(app_rx),0) AS appRx, COALESCE(SUM(app_tx),0) AS appTx,
              COALESCE(SUM(all_rx),0) AS allRx, COALESCE(SUM(all_tx),0) AS allTx,
              COALESCE(SUM(active_s),0) AS activeS, COALESCE(SUM(bursts),0) AS bursts,
              COALESCE(SUM(est_bytes),0) AS estBytes
       FROM usage_day WHERE path = ? AND t >= ? AND t < ?`,
    );
    this.sumAdjust = db.prepare(
      'SELECT COALESCE(SUM(bytes), 0) AS n FROM usage_adjust WHERE path = ? AND day >= ? AND day < ?',
    );
    this.addAdjust = db.prepare(
      'INSERT INTO usage_adjust (path, day, at, bytes, kind) VALUES (?, ?, ?, ?, ?)',
    );
    this.perDay = db.prepare(
      `SELECT t, MAX(all_rx + all_tx, app_rx + app_tx) AS used FROM usage_day
       WHERE path = ? AND t >= ? AND t < ?`,
    );
  }

  /**
   * Bytes used on each local day from `from` to before `to` (local midnights), one entry a day,
   * pending bytes included.
   */
  daily(path: string, from: number, to: number): number[] {
    const days = new Array<number>(Math.max(0, daysBetween(from, to))).fill(0);
    const first = dayKey(from);
    for (const row of this.perDay.all(path, first, dayKey(to)) as Array<{ t: number; used: number }>) {
      const i = Math.round((row.t - first) / 86_400_000);
      if (i >= 0 && i < days.length) days[i] = (days[i] as number) + row.used;
    }
    for (let i = 0; i < days.length; i++) {
      const day = addDays(from, i);
      const pending = this.pending.addTo(ZERO, path, { start: day, end: addDays(day, 1) });
      days[i] = (days[i] as number) + Math.max(pending.allRx + pending.allTx, pending.appRx + pending.appTx);
    }
    return days;
  }

  of(path: string, plan: Plan | null, now: number): Totals {
    const cycle = cycleAt(plan, now);
    let cached = this.cache.get(path);
    if (!cached || cached.cycle.start !== cycle.start || cached.cycle.end !== cycle.end) {
      const range = [path, dayKey(cycle.start), dayKey(cycle.end)] as const;
      const row = this.sumDays.get(...range) as unknown as Totals;
      const adjusted = (this.sumAdjust.get(...range) as { n: number }).n;
      cached = { cycle, totals: addTotals(ZERO, { ...row, adjBytes: adjusted }) };
      this.cache.set(path, cached);
    }
    return this.pending.addTo(cached.totals, path, cycle);
  }

  /**
   * Sets this cycle's count on `path` to `bytes` (the carrier's figure; 0 for a reset) with an
   * adjustment row dated today, so the rows themselves stay what was measured.
   */
  adjust(path: string, plan: Plan | null, bytes: number, kind: 'correct' | 'reset', now: number): number {
    const change = Math.round(bytes - usedBytes(this.of(path, plan, now)));
    this.addAdjust.run(path, dayKey(now), now, change, kind);
    this.forget();
    return change;
  }

  /** A flush wrote rows: the kept sums no longer include everything. */
  forget(): void {
    this.cache.clear();
  }
}
