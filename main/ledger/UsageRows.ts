import type { StatementSync } from 'node:sqlite';
import { dayKey, hourStart, minuteStart } from './calendar.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { UsageDelta } from './usageTotals.ts';

/** How long the finer rows are kept; day rows are kept forever. */
export interface UsageRetention {
  minuteMs: number;
  hourMs: number;
}

/**
 * The minute, hour and day rows (vnStat's idea). Minutes and hours start at an instant (epoch
 * ms); days are keyed by the local date (`dayKey`), so a change of time zone moves no bytes
 * between days or cycles. Each delta is added to all three in the same
 * transaction, so the resolutions always agree and no separate roll-up pass can fail half-way;
 * old minutes and hours are simply deleted.
 */
export class UsageRows {
  private readonly db: LedgerSql;
  private readonly upsert: Record<'minute' | 'hour' | 'day', StatementSync>;

  constructor(db: LedgerSql) {
    this.db = db;
    const upsert = (table: string): StatementSync =>
      db.prepare(
        `INSERT INTO ${table} (path, t, app_rx, app_tx, all_rx, all_tx, active_s, bursts, est_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (path, t) DO UPDATE SET
           app_rx = app_rx + excluded.app_rx, app_tx = app_tx + excluded.app_tx,
           all_rx = all_rx + excluded.all_rx, all_tx = all_tx + excluded.all_tx,
           active_s = active_s + excluded.active_s, bursts = bursts + excluded.bursts,
           est_bytes = est_bytes + excluded.est_bytes`,
      );
    this.upsert = { minute: upsert('usage_minute'), hour: upsert('usage_hour'), day: upsert('usage_day') };
  }

  /** Adds the deltas to their rows; the caller holds the flush's transaction. */
  write(deltas: readonly UsageDelta[]): void {
    for (const d of deltas) {
      const values = [d.appRx, d.appTx, d.rxBytes, d.txBytes, d.activeS, d.bursts, d.estBytes] as const;
      this.upsert.minute.run(d.path, d.t, ...values);
      this.upsert.hour.run(d.path, hourStart(d.t), ...values);
      this.upsert.day.run(d.path, dayKey(d.t), ...values);
    }
  }

  /** The app bytes (every process's) written for `path` in minutes from the one containing `since`. */
  appSince(path: string, since: number): number {
    const row = this.db
      .statement('SELECT COALESCE(SUM(app_rx + app_tx), 0) AS n FROM usage_minute WHERE path = ? AND t >= ?')
      .get(path, minuteStart(since)) as { n: number };
    return row.n;
  }

  /** Drops minutes and hours past their retention; the caller holds a transaction. */
  prune(now: number, keep: UsageRetention): void {
    this.db.statement('DELETE FROM usage_minute WHERE t < ?').run(now - keep.minuteMs);
    this.db.statement('DELETE FROM usage_hour WHERE t < ?').run(now - keep.hourMs);
  }
}
