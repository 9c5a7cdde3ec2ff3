import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { dayKey } from './calendar.ts';

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

/**
 * Issue 20 case 6: day rows were keyed by the local midnight of the zone they were written in;
 * they are keyed by their date now (`dayKey`). Noon of the old key is on the same date in any
 * zone within ±12 h of the one that wrote it.
 */
function keyDaysByDate(db: DatabaseSync): void {
  const rows = db.prepare('SELECT * FROM usage_day').all() as Array<Record<string, number | string>>;
  db.exec('DELETE FROM usage_day');
  const insert = db.prepare(
    `INSERT INTO usage_day (path, t, app_rx, app_tx, all_rx, all_tx, active_s, bursts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path, t) DO UPDATE SET
       app_rx = app_rx + excluded.app_rx, app_tx = app_tx + excluded.app_tx,
       all_rx = all_rx + excluded.all_rx, all_tx = all_tx + excluded.all_tx,
       active_s = active_s + excluded.active_s, bursts = bursts + excluded.bursts`,
  );
  for (const r of rows) {
    const key = dayKey(Number(r['t']) + 12 * 3_600_000);
    insert.run(
      r['path'] as string,
      key,
      r['app_rx'] as number,
      r['app_tx'] as number,
      r['all_rx'] as number,
      r['all_tx'] as number,
      r['active_s'] as number,
      r['bursts'] as number,
    );
  }
}

/** Schema versions, applied in order; `PRAGMA user_version` says how many have run. */
const MIGRATIONS: Array<string | ((db: DatabaseSync) => void)> = [
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
  // Issue 20: one process owns the OS-counter baselines (see CounterLease).
  `CREATE TABLE counter_lease (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     owner TEXT NOT NULL,
     pid INTEGER NOT NULL,
     beat_at INTEGER NOT NULL
   );`,
  keyDaysByDate,
  // Issue 20 case 8: bytes counted for a time the app was closed, spread over it (an estimate).
  `ALTER TABLE usage_minute ADD COLUMN est_bytes INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage_hour ADD COLUMN est_bytes INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage_day ADD COLUMN est_bytes INTEGER NOT NULL DEFAULT 0;`,
  // Issue 20 case 13: a device re-created while the app was closed has a new ifindex.
  `ALTER TABLE paths ADD COLUMN ifindex INTEGER;`,
  // Corrections to the carrier's figure and resets: bytes added to (or taken from) a cycle.
  `CREATE TABLE usage_adjust (
     path TEXT NOT NULL,
     day INTEGER NOT NULL,
     at INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     kind TEXT NOT NULL
   );
   CREATE INDEX usage_adjust_path_day ON usage_adjust (path, day);`,
  // Issue 24: the download an alert is about, so "Open transfer" finds it by id, not by its name.
  // Rows from before have none (NULL): they open nothing rather than a guess.
  `ALTER TABLE alerts ADD COLUMN transfer_id TEXT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** How long a flush waits for another process's write lock before it tries again later. */
export const WRITE_WAIT_MS = 50;

function configure(db: DatabaseSync): void {
  db.exec('PRAGMA journal_mode = WAL');
  // WAL + NORMAL: a crash (or kill -9) never corrupts; a power cut may lose the last second.
  db.exec('PRAGMA synchronous = NORMAL');
  // Opening (and migrating) may wait for another process's flush; later writes wait briefly and
  // retry on the next flush instead (see Ledger.flush), so the main thread never stalls.
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
      const step = MIGRATIONS[v] as string | ((db: DatabaseSync) => void);
      if (typeof step === 'string') db.exec(step);
      else step(db);
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
      db.exec(`PRAGMA busy_timeout = ${WRITE_WAIT_MS}`);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  };
  try {
    return { db: attempt(), file };
  } catch (error) {
    // A newer schema, or a file another process holds locked, is not damage: never move it aside.
    if (isNewerSchema(error) || isLocked(error)) throw error;
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

/** SQLITE_BUSY or SQLITE_LOCKED: another process is writing. */
export function isLocked(error: unknown): boolean {
  return (
    error instanceof Error && /database is locked|database table is locked|SQLITE_BUSY/i.test(error.message)
  );
}

function isNewerSchema(error: unknown): boolean {
  return error instanceof Error && error.message.includes('from a newer Pathwise');
}
