import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export const LEDGER_FILE = 'ledger.sqlite';

const USAGE_COLUMNS = `
  path TEXT NOT NULL,
  t INTEGER NOT NULL,
  app_rx INTEGER NOT NULL DEFAULT 0,
  app_tx INTEGER NOT NULL DEFAULT 0,
  all_rx INTEGER NOT NULL DEFAULT 0,
  all_tx INTEGER NOT NULL DEFAULT 0,
  active_s INTEGER NOT NULL DEFAULT 0,
  bursts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (path, t)`;

/** Schema versions, applied in order; `PRAGMA user_version` says how many have run. */
const MIGRATIONS: string[] = [
  `CREATE TABLE paths (
     name TEXT PRIMARY KEY,
     type TEXT,
     metered INTEGER,
     last_rx INTEGER,
     last_tx INTEGER,
     boot_id TEXT,
     seen_at INTEGER
   );
   CREATE TABLE usage_minute (${USAGE_COLUMNS}) WITHOUT ROWID;
   CREATE TABLE usage_hour (${USAGE_COLUMNS}) WITHOUT ROWID;
   CREATE TABLE usage_day (${USAGE_COLUMNS}) WITHOUT ROWID;
   CREATE INDEX usage_minute_t ON usage_minute (t);
   CREATE INDEX usage_hour_t ON usage_hour (t);
   CREATE TABLE alerts (
     id TEXT PRIMARY KEY,
     key TEXT NOT NULL UNIQUE,
     kind TEXT NOT NULL,
     severity TEXT NOT NULL,
     path TEXT,
     title TEXT NOT NULL,
     message TEXT NOT NULL,
     at INTEGER NOT NULL,
     read INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX alerts_at ON alerts (at);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function configure(db: DatabaseSync): void {
  db.exec('PRAGMA journal_mode = WAL');
  // WAL + NORMAL: a crash (or kill -9) never corrupts; a power cut may lose the last second.
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
}

function migrate(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const version = row.user_version;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the usage database is from a newer Pathwise (schema ${version}, this one knows ${SCHEMA_VERSION})`,
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[v] as string);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function check(db: DatabaseSync): void {
  const rows = db.prepare('PRAGMA quick_check').all() as Array<Record<string, string>>;
  const problems = rows.map((r) => Object.values(r)[0]).filter((v) => v !== 'ok');
  if (problems.length > 0) throw new Error(`integrity check failed: ${problems.slice(0, 3).join('; ')}`);
}

export interface OpenedDb {
  db: DatabaseSync;
  file: string;
  /** Set when an unreadable database was moved aside and a fresh one started. */
  warning?: string;
}

/**
 * Opens (creating or migrating) the ledger database in `dataDir`. A file that is not a database,
 * fails its integrity check or can't be migrated is never silently dropped: it is moved aside
 * (with its -wal/-shm) as `ledger.sqlite.corrupt-<time>` and a fresh database is started; the
 * returned warning says where the old one went.
 */
export function openLedgerDb(dataDir: string, now: () => number = Date.now): OpenedDb {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LEDGER_FILE);
  const attempt = (): DatabaseSync => {
    const db = new DatabaseSync(file);
    try {
      configure(db);
      check(db);
      migrate(db);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  };
  try {
    return { db: attempt(), file };
  } catch (error) {
    if (isNewerSchema(error)) throw error;
    const aside = `${file}.corrupt-${now()}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      db: attempt(),
      file,
      warning: `Your usage history could not be read (${reason}); it was moved to ${aside} and a new one was started.`,
    };
  }
}

function isNewerSchema(error: unknown): boolean {
  return error instanceof Error && error.message.includes('from a newer Pathwise');
}
