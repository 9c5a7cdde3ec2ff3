import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * The ledger's database as its parts share it: one connection, statements kept once prepared,
 * and write transactions that land whole or not at all (a crash never leaves half a flush).
 */
export class LedgerSql {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private dataVersion = -1;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** A statement of its own, prepared now (the ones every flush runs). */
  prepare(text: string): StatementSync {
    return this.db.prepare(text);
  }

  /**
   * A statement prepared once and kept: the reads run every few seconds while a window is open.
   * History's SQL varies with how many paths it filters on, so the cache is bounded.
   */
  statement(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 64) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * IMMEDIATE takes the write lock up front, so a second process writing the same file waits
   * (busy_timeout, kept short: see `Ledger.flush`) instead of failing when a read lock would have
   * to become a write lock.
   */
  transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * Whether another connection (a `pathwise get`, a correction from the CLI) committed since the
   * last call: SQLite's data_version changes only for other connections' commits.
   */
  changedElsewhere(): boolean {
    const { data_version: version } = this.statement('PRAGMA data_version').get() as { data_version: number };
    const changed = version !== this.dataVersion;
    this.dataVersion = version;
    return changed;
  }

  /** How long a write waits for another process's lock before it fails (and is retried later). */
  waitForLocks(ms: number): void {
    this.db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(ms))}`);
  }

  close(): void {
    this.db.close();
  }
}
