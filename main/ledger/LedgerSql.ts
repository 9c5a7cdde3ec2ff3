import type { DatabaseSync, StatementSync } from 'node:sqlite';

/**
 * The ledger's database as its parts share it: one connection, statements kept once prepared,
 * and write transactions that land whole or not at all (a crash never leaves half a flush).
 */
export class LedgerSql {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

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
   * (busy_timeout) instead of failing when a read lock would have to become a write lock.
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

  close(): void {
    this.db.close();
  }
}
