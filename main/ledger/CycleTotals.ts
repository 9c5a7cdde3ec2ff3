import type { StatementSync } from 'node:sqlite';
import type { Plan } from '../../common/contract.ts';
import { cycleAt, type Cycle } from './calendar.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { PendingUsage } from './PendingUsage.ts';
import { addTotals, ZERO, type Totals } from './usageTotals.ts';

/**
 * A path's totals in its current billing cycle, as budgets, summaries and cap alerts read them:
 * the day rows summed once and kept until a flush writes more, plus what is still pending — so
 * the engine's budget counts bytes moved a moment ago.
 */
export class CycleTotals {
  private readonly pending: PendingUsage;
  private readonly sumDays: StatementSync;
  /** Flushed totals this cycle per path, with the cycle they are for. */
  private readonly cache = new Map<string, { cycle: Cycle; totals: Totals }>();

  constructor(db: LedgerSql, pending: PendingUsage) {
    this.pending = pending;
    this.sumDays = db.prepare(
      `SELECT COALESCE(SUM(app_rx),0) AS appRx, COALESCE(SUM(app_tx),0) AS appTx,
              COALESCE(SUM(all_rx),0) AS allRx, COALESCE(SUM(all_tx),0) AS allTx,
              COALESCE(SUM(active_s),0) AS activeS, COALESCE(SUM(bursts),0) AS bursts
       FROM usage_day WHERE path = ? AND t >= ? AND t < ?`,
    );
  }

  of(path: string, plan: Plan | null, now: number): Totals {
    const cycle = cycleAt(plan, now);
    let cached = this.cache.get(path);
    if (!cached || cached.cycle.start !== cycle.start || cached.cycle.end !== cycle.end) {
      const row = this.sumDays.get(path, cycle.start, cycle.end) as unknown as Totals;
      cached = { cycle, totals: addTotals(ZERO, row) };
      this.cache.set(path, cached);
    }
    return this.pending.addTo(cached.totals, path, cycle);
  }

  /** A flush wrote rows: the kept sums no longer include everything. */
  forget(): void {
    this.cache.clear();
  }
}
