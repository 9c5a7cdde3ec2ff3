import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** What both sides looked like the last time a file was known to be in step. */
export interface JournalEntry {
  path: string;
  localSize: number;
  localMtimeMs: number;
  remoteEtag: string | null;
  remoteSize: number;
  remoteMtimeMs: number | null;
  syncedAt: number;
}

export interface RunRecord {
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  uploaded: number;
  downloaded: number;
  deleted: number;
  conflicts: string[];
}

const SCHEMA = [
  `CREATE TABLE files (
     path TEXT PRIMARY KEY,
     l_size INTEGER NOT NULL,
     l_mtime REAL NOT NULL,
     r_etag TEXT,
     r_size INTEGER NOT NULL,
     r_mtime REAL,
     synced_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE usage (
     path TEXT NOT NULL,
     day INTEGER NOT NULL,
     rx INTEGER NOT NULL DEFAULT 0,
     tx INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (path, day)
   ) WITHOUT ROWID;
   CREATE TABLE runs (
     started_at INTEGER NOT NULL,
     finished_at INTEGER NOT NULL,
     ok INTEGER NOT NULL,
     error_code TEXT,
     error_message TEXT,
     uploaded INTEGER NOT NULL,
     downloaded INTEGER NOT NULL,
     deleted INTEGER NOT NULL,
     conflicts TEXT NOT NULL
   );`,
  // Folders both sides had at the last agreement (an empty one is synced too). A journal from
  // before knew only files: the folders holding them were in step then (seedDirs).
  `CREATE TABLE dirs (path TEXT PRIMARY KEY, synced_at INTEGER NOT NULL) WITHOUT ROWID;`,
  // Chunked uploads under way (Nextcloud's chunking v2): a later run, even after a kill -9,
  // sends only the chunks the server lacks, if the local file is as it was.
  `CREATE TABLE uploads (
     path TEXT PRIMARY KEY,
     upload_id TEXT NOT NULL,
     chunk_bytes INTEGER NOT NULL,
     l_size INTEGER NOT NULL,
     l_mtime REAL NOT NULL,
     started_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

/** The folders of the files a journal knows (each file's parents), as in step when it was written. */
function seedDirs(db: DatabaseSync): void {
  const insert = db.prepare('INSERT OR IGNORE INTO dirs (path, synced_at) VALUES (?, ?)');
  const rows = db.prepare('SELECT path, synced_at FROM files').all() as Array<{
    path: string;
    synced_at: number;
  }>;
  for (const { path, synced_at: at } of rows) {
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1))
      insert.run(path.slice(0, slash), at);
  }
}

export const JOURNAL_FILE = 'journal.sqlite';

/** A chunked upload under way: its folder on the server, its chunk size, the local file it sends. */
export interface UploadRecord {
  path: string;
  uploadId: string;
  chunkBytes: number;
  localSize: number;
  localMtimeMs: number;
}

interface Row {
  path: string;
  l_size: number;
  l_mtime: number;
  r_etag: string | null;
  r_size: number;
  r_mtime: number | null;
  synced_at: number;
}

function entryOf(row: Row): JournalEntry {
  return {
    path: row.path,
    localSize: row.l_size,
    localMtimeMs: row.l_mtime,
    remoteEtag: row.r_etag,
    remoteSize: row.r_size,
    remoteMtimeMs: row.r_mtime,
    syncedAt: row.synced_at,
  };
}

function openDb(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA busy_timeout = 5000');
    const check = db.prepare('PRAGMA quick_check').get() as Record<string, string> | undefined;
    if (check && Object.values(check)[0] !== 'ok') throw new Error('integrity check failed');
    const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
    if (version > SCHEMA.length)
      throw new Error(`the sync journal is from a newer Pathwise (schema ${version})`);
    for (let v = version; v < SCHEMA.length; v++) {
      db.exec('BEGIN IMMEDIATE');
      db.exec(SCHEMA[v] as string);
      if (v === 1) seedDirs(db);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A sync job's memory (SQLite, like the ledger): per file, both sides as they were when last in
 * step (and the folders both had), so the next run can tell "changed here", "changed there" and "deleted" apart without
 * hashing; the job's bytes per path and day (its cellular allowance); and its runs. A journal that
 * can't be read is moved aside and a fresh one started: without one a run deletes nothing (every
 * file is new to it) and keeps both versions of anything that differs, so nothing is lost.
 */
export class SyncJournal {
  readonly file: string;
  readonly warning: string | null;
  private readonly db: DatabaseSync;
  private readonly statements: Record<string, StatementSync>;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, JOURNAL_FILE);
    let warning: string | null = null;
    let db: DatabaseSync;
    try {
      db = openDb(this.file);
    } catch (error) {
      if (/newer Pathwise|locked|SQLITE_BUSY/i.test(String(error))) throw error;
      const aside = `${this.file}.corrupt-${Date.now()}`;
      for (const suffix of ['', '-wal', '-shm'])
        if (existsSync(this.file + suffix)) renameSync(this.file + suffix, aside + suffix);
      db = openDb(this.file);
      warning = `The sync journal could not be read; it was moved to ${aside}. The next run compares both sides afresh and deletes nothing.`;
    }
    this.db = db;
    this.warning = warning;
    this.statements = {
      get: db.prepare('SELECT * FROM files WHERE path = ?'),
      all: db.prepare('SELECT * FROM files'),
      put: db.prepare(
        `INSERT INTO files (path, l_size, l_mtime, r_etag, r_size, r_mtime, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET l_size = excluded.l_size, l_mtime = excluded.l_mtime,
           r_etag = excluded.r_etag, r_size = excluded.r_size, r_mtime = excluded.r_mtime, synced_at = excluded.synced_at`,
      ),
      remove: db.prepare('DELETE FROM files WHERE path = ?'),
      dirs: db.prepare('SELECT path FROM dirs'),
      putDir: db.prepare('INSERT OR REPLACE INTO dirs (path, synced_at) VALUES (?, ?)'),
      removeDir: db.prepare('DELETE FROM dirs WHERE path = ?'),
      upload: db.prepare('SELECT * FROM uploads WHERE path = ?'),
      putUpload: db.prepare(
        `INSERT OR REPLACE INTO uploads (path, upload_id, chunk_bytes, l_size, l_mtime, started_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      removeUpload: db.prepare('DELETE FROM uploads WHERE path = ?'),
      book: db.prepare(
        `INSERT INTO usage (path, day, rx, tx) VALUES (?, ?, ?, ?)
         ON CONFLICT (path, day) DO UPDATE SET rx = rx + excluded.rx, tx = tx + excluded.tx`,
      ),
      usageSince: db.prepare(
        'SELECT path, SUM(rx) AS rx, SUM(tx) AS tx FROM usage WHERE day >= ? GROUP BY path',
      ),
      addRun: db.prepare(
        `INSERT INTO runs (started_at, finished_at, ok, error_code, error_message, uploaded, downloaded, deleted, conflicts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      lastRuns: db.prepare('SELECT * FROM runs ORDER BY finished_at DESC LIMIT ?'),
      pruneRuns: db.prepare('DELETE FROM runs WHERE finished_at < ?'),
    } as Record<string, StatementSync>;
  }

  entries(): Map<string, JournalEntry> {
    const rows = (this.statements['all'] as StatementSync).all() as unknown as Row[];
    return new Map(rows.map((r) => [r.path, entryOf(r)]));
  }

  get(path: string): JournalEntry | null {
    const row = (this.statements['get'] as StatementSync).get(path) as Row | undefined;
    return row ? entryOf(row) : null;
  }

  put(entry: Omit<JournalEntry, 'syncedAt'>): void {
    (this.statements['put'] as StatementSync).run(
      entry.path,
      entry.localSize,
      entry.localMtimeMs,
      entry.remoteEtag,
      entry.remoteSize,
      entry.remoteMtimeMs,
      Date.now(),
    );
  }

  remove(path: string): void {
    (this.statements['remove'] as StatementSync).run(path);
  }

  /** The folders both sides had at the last agreement. */
  dirs(): Set<string> {
    const rows = (this.statements['dirs'] as StatementSync).all() as Array<{ path: string }>;
    return new Set(rows.map((r) => r.path));
  }

  putDir(path: string): void {
    (this.statements['putDir'] as StatementSync).run(path, Date.now());
  }

  removeDir(path: string): void {
    (this.statements['removeDir'] as StatementSync).run(path);
  }

  /** The chunked upload of `path` a run began, if one is under way. */
  upload(path: string): UploadRecord | null {
    const row = (this.statements['upload'] as StatementSync).get(path) as Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      path,
      uploadId: String(row['upload_id']),
      chunkBytes: Number(row['chunk_bytes']),
      localSize: Number(row['l_size']),
      localMtimeMs: Number(row['l_mtime']),
    };
  }

  putUpload(upload: UploadRecord): void {
    (this.statements['putUpload'] as StatementSync).run(
      upload.path,
      upload.uploadId,
      upload.chunkBytes,
      upload.localSize,
      upload.localMtimeMs,
      Date.now(),
    );
  }

  removeUpload(path: string): void {
    (this.statements['removeUpload'] as StatementSync).run(path);
  }

  /** The job's bytes on a path (day = local midnight of `at`, in ms). */
  book(path: string, day: number, rx: number, tx: number): void {
    (this.statements['book'] as StatementSync).run(path, day, rx, tx);
  }

  /** The job's bytes per path from `since` (ms) on. */
  usageSince(since: number): Map<string, { rx: number; tx: number }> {
    const rows = (this.statements['usageSince'] as StatementSync).all(since) as Array<{
      path: string;
      rx: number;
      tx: number;
    }>;
    return new Map(rows.map((r) => [r.path, { rx: Number(r.rx), tx: Number(r.tx) }]));
  }

  addRun(run: RunRecord): void {
    (this.statements['addRun'] as StatementSync).run(
      run.startedAt,
      run.finishedAt,
      run.ok ? 1 : 0,
      run.errorCode,
      run.errorMessage,
      run.uploaded,
      run.downloaded,
      run.deleted,
      JSON.stringify(run.conflicts),
    );
    (this.statements['pruneRuns'] as StatementSync).run(run.finishedAt - 90 * 86_400_000);
  }

  lastRuns(count: number): RunRecord[] {
    const rows = (this.statements['lastRuns'] as StatementSync).all(count) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      startedAt: Number(r['started_at']),
      finishedAt: Number(r['finished_at']),
      ok: r['ok'] === 1,
      errorCode: (r['error_code'] as string | null) ?? null,
      errorMessage: (r['error_message'] as string | null) ?? null,
      uploaded: Number(r['uploaded']),
      downloaded: Number(r['downloaded']),
      deleted: Number(r['deleted']),
      conflicts: JSON.parse(String(r['conflicts'])) as string[],
    }));
  }

  /**
   * Forgets what both sides were (files, folders, runs, uploads under way) when the job's folder pair changed: the
   * next run compares the new pair afresh and deletes nothing. The bytes per path stay (a cellular
   * allowance spent this cycle is spent).
   */
  forgetTree(): void {
    this.transaction(() => {
      for (const table of ['files', 'dirs', 'runs', 'uploads']) this.db.exec(`DELETE FROM ${table}`);
    });
  }

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
