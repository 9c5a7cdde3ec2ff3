import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { Alert } from '../../common/contract.ts';
import type { LedgerSql } from './LedgerSql.ts';

/**
 * An alert before it is stored: its key says what it is about, so it fires once per key. Only
 * alerts about one download name it (`transferId`); the rest may leave it out.
 */
export type AlertDraft = Omit<Alert, 'id' | 'read' | 'transferId'> & {
  key: string;
  transferId?: string | null;
};

const ALERT_COLUMNS = 'id, kind, severity, path, transfer_id AS transferId, title, message, at, read';
type AlertRow = Omit<Alert, 'read'> & { read: number };

function alertFromRow(row: AlertRow): Alert {
  return { ...row, read: row.read === 1 };
}

/**
 * The alerts table. One row per key with `INSERT OR IGNORE`, so nothing fires twice, across
 * restarts or from two processes on the same database; rows another process wrote are passed on
 * once by rowid, so the running app hears of a terminal download's cap too.
 */
export class AlertStore {
  private readonly db: LedgerSql;
  private readonly emit: (alert: Alert) => void;
  private readonly insert: StatementSync;
  private closed = false;
  /** Highest alert row this ledger has looked at: rows above it were written since. */
  private seen: number;
  /** Alerts this ledger raised (and emitted) that the pick-up scan has not passed yet. */
  private readonly own = new Set<string>();

  constructor(db: LedgerSql, emit: (alert: Alert) => void) {
    this.db = db;
    this.emit = emit;
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO alerts (id, key, kind, severity, path, transfer_id, title, message, at, read)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.seen = (
      db.statement('SELECT COALESCE(MAX(rowid), 0) AS seq FROM alerts').get() as { seq: number }
    ).seq;
  }

  /** Stores an alert once per key; emits it unless `silent` (then it is stored as read). Returns it when new. */
  raise(alert: AlertDraft, silent = false): Alert | null {
    if (this.closed) return null;
    const id = randomUUID();
    const result = this.insert.run(
      id,
      alert.key,
      alert.kind,
      alert.severity,
      alert.path,
      alert.transferId ?? null,
      alert.title,
      alert.message,
      alert.at,
      silent ? 1 : 0,
    );
    if (result.changes === 0) return null;
    const { key: _key, transferId = null, ...rest } = alert;
    const stored: Alert = { id, ...rest, transferId, read: silent };
    this.own.add(id);
    if (!silent) this.emit(stored);
    return stored;
  }

  list(limit = 200): Alert[] {
    const rows = this.db
      .statement(`SELECT ${ALERT_COLUMNS} FROM alerts ORDER BY at DESC, rowid DESC LIMIT ?`)
      .all(limit) as AlertRow[];
    return rows.map(alertFromRow);
  }

  markRead(ids: readonly string[]): void {
    const mark = this.db.statement('UPDATE alerts SET read = 1 WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) mark.run(id);
    });
  }

  /**
   * Alerts another process wrote into the same database (a `pathwise get` in a terminal that hit a
   * cap or finished) are emitted here too, once, so the running app notifies about them.
   */
  pickUp(): void {
    const rows = this.db
      .statement(`SELECT rowid AS seq, ${ALERT_COLUMNS} FROM alerts WHERE rowid > ? ORDER BY rowid`)
      .all(this.seen) as Array<AlertRow & { seq: number }>;
    for (const { seq, ...row } of rows) {
      this.seen = Math.max(this.seen, seq);
      const alert = alertFromRow(row);
      if (this.own.delete(alert.id) || alert.read) continue;
      this.emit(alert);
    }
  }

  /** Drops read alerts older than `before`; the caller holds a transaction. */
  pruneRead(before: number): void {
    // The newest row stays: SQLite numbers a new row max(rowid) + 1, and another process on
    // this database picks up alerts by rowid, so a reused number would hide the next alert.
    this.db
      .statement('DELETE FROM alerts WHERE at < ? AND read = 1 AND rowid < (SELECT MAX(rowid) FROM alerts)')
      .run(before);
  }

  /** The database is closing: later raises are dropped rather than written to a closed file. */
  close(): void {
    this.closed = true;
  }
}
