/**
 * Each alert once (AlertStore, issue 26): one row per key, so an alert is stored and told once,
 * across restarts and from two processes on one database; rows another process wrote are told
 * here once; `silent` alerts are stored read and told nowhere; pruning keeps what is unread, what
 * is recent and the newest row (other processes pick up by rowid).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../common/contract.ts';
import { AlertStore, type AlertDraft } from '../../main/ledger/AlertStore.ts';
import { LEDGER_FILE, openLedgerDb, SCHEMA_VERSION } from '../../main/ledger/LedgerDb.ts';
import { LedgerSql } from '../../main/ledger/LedgerSql.ts';

const T0 = Date.UTC(2026, 2, 10, 12);
const DAY = 86_400_000;

/** One process's view of the alerts: its own connection to the database, and what it was told. */
interface Process {
  store: AlertStore;
  told: Alert[];
  sql: LedgerSql;
}

const open: LedgerSql[] = [];
afterEach(() => {
  for (const sql of open.splice(0)) sql.close();
});

function start(dir: string): Process {
  const sql = new LedgerSql(openLedgerDb(dir).db);
  open.push(sql);
  const told: Alert[] = [];
  return { store: new AlertStore(sql, (alert) => told.push(alert)), told, sql };
}

function stop(p: Process): void {
  p.store.close();
  p.sql.close();
  open.splice(open.indexOf(p.sql), 1);
}

const folder = (): string => mkdtempSync(join(tmpdir(), 'pw-alerts-'));

function draft(key: string, over: Partial<AlertDraft> = {}): AlertDraft {
  return {
    key,
    kind: 'cap-threshold',
    severity: 'warning',
    path: 'wwan0',
    title: `title of ${key}`,
    message: `message of ${key}`,
    at: T0,
    ...over,
  };
}

const titles = (alerts: readonly Alert[]): string[] => alerts.map((a) => a.title);

describe('an alert is stored and told once per key', () => {
  it('stores a new alert unread, tells it, and returns it as told (without its key)', () => {
    const app = start(folder());
    const raised = app.store.raise(draft('cap:wwan0:2026-03:0.75', { severity: 'critical' }));
    expect(raised).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      kind: 'cap-threshold',
      severity: 'critical',
      path: 'wwan0',
      transferId: null,
      title: 'title of cap:wwan0:2026-03:0.75',
      message: 'message of cap:wwan0:2026-03:0.75',
      at: T0,
      read: false,
    });
    expect(app.told).toEqual([raised]);
    expect(app.store.list()).toEqual([raised]);
  });

  it('keeps an alert with no path as such', () => {
    const app = start(folder());
    const raised = app.store.raise(draft('transfer-done:x1', { kind: 'transfer-done', path: null }));
    expect(raised?.path).toBeNull();
    expect(app.store.list()[0]).toMatchObject({ kind: 'transfer-done', path: null });
  });

  it('ignores the same key again, even with other words, and takes another key', () => {
    const app = start(folder());
    const first = app.store.raise(draft('cap:wwan0:2026-03:1'));
    expect(app.store.raise(draft('cap:wwan0:2026-03:1', { title: 'again', at: T0 + 1 }))).toBeNull();
    const other = app.store.raise(draft('cap:wwan0:2026-04:1', { at: T0 + 2 }));
    expect(other).not.toBeNull();
    expect(other?.id).not.toBe(first?.id);
    expect(titles(app.told)).toEqual(['title of cap:wwan0:2026-03:1', 'title of cap:wwan0:2026-04:1']);
    expect(titles(app.store.list())).toEqual([
      'title of cap:wwan0:2026-04:1',
      'title of cap:wwan0:2026-03:1',
    ]);
  });

  it('ignores a key it stored before a restart, and tells nothing old on starting', () => {
    const dir = folder();
    const before = start(dir);
    before.store.raise(draft('unexpected:wwan0:2026-03-10'));
    stop(before);
    const after = start(dir);
    after.store.pickUp();
    expect(after.store.raise(draft('unexpected:wwan0:2026-03-10'))).toBeNull();
    after.store.pickUp();
    expect(after.told).toEqual([]);
    expect(after.store.list()).toHaveLength(1);
  });

  it('stores a silent alert as read and tells it nowhere, and not again when asked aloud', () => {
    const app = start(folder());
    const silent = app.store.raise(draft('cap:wwan0:2026-03:0.75'), true);
    expect(silent).toMatchObject({ read: true, title: 'title of cap:wwan0:2026-03:0.75' });
    expect(app.store.list()).toEqual([silent]);
    expect(app.store.raise(draft('cap:wwan0:2026-03:0.75'))).toBeNull();
    app.store.pickUp();
    expect(app.told).toEqual([]);
  });

  it('drops raises once the database is closing', () => {
    const app = start(folder());
    app.store.close();
    expect(app.store.raise(draft('late'))).toBeNull();
    expect(app.told).toEqual([]);
    expect(app.store.list()).toEqual([]);
  });
});

describe('an alert about a download names it (issue 24)', () => {
  it('stores the download’s id with the alert, lists it and tells it; other alerts name none', () => {
    const app = start(folder());
    const done = app.store.raise(
      draft('transfer-done:t-7', { kind: 'transfer-done', path: null, transferId: 't-7', at: T0 + 1 }),
    );
    expect(done?.transferId).toBe('t-7');
    app.store.raise(draft('cap:wwan0:2026-03:1'));
    expect(app.told.map((a) => a.transferId)).toEqual(['t-7', null]);
    expect(app.store.list().map((a) => [a.kind, a.transferId])).toEqual([
      ['transfer-done', 't-7'],
      ['cap-threshold', null],
    ]);
  });

  it('passes the id on to another process that picks the alert up', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    cli.store.raise(draft('transfer-failed:t-9', { kind: 'transfer-failed', path: null, transferId: 't-9' }));
    app.store.pickUp();
    expect(app.told).toEqual([expect.objectContaining({ kind: 'transfer-failed', transferId: 't-9' })]);
  });

  it('opens a database of the schema before (no transfer id): its alerts read as naming none', () => {
    const dir = folder();
    stop(start(dir));
    // Back to the schema before this one, as an older Pathwise left it, with an alert it stored.
    const old = new DatabaseSync(join(dir, LEDGER_FILE));
    old.exec('ALTER TABLE alerts DROP COLUMN transfer_id');
    old.exec(`PRAGMA user_version = ${SCHEMA_VERSION - 1}`);
    old
      .prepare(
        `INSERT INTO alerts (id, key, kind, severity, path, title, message, at, read)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run('old-1', 'transfer-done:t-1', 'transfer-done', 'info', null, 'Download finished', 'a.iso', T0, 0);
    old.close();

    const app = start(dir);
    const version = app.sql.statement('PRAGMA user_version').get() as { user_version: number };
    expect(version.user_version).toBe(SCHEMA_VERSION);
    expect(app.store.list()).toEqual([
      {
        id: 'old-1',
        kind: 'transfer-done',
        severity: 'info',
        path: null,
        transferId: null,
        title: 'Download finished',
        message: 'a.iso',
        at: T0,
        read: false,
      },
    ]);
    // The old row keeps its key, and new alerts store their download.
    expect(app.store.raise(draft('transfer-done:t-1', { kind: 'transfer-done' }))).toBeNull();
    app.store.raise(draft('transfer-done:t-2', { kind: 'transfer-done', transferId: 't-2', at: T0 + 1 }));
    expect(app.store.list().map((a) => a.transferId)).toEqual(['t-2', null]);
  });
});

describe('two processes on one database', () => {
  it('tells each alert the other process wrote once, in the order written, and its own never twice', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    cli.store.raise(draft('a', { at: T0 + 5 }));
    cli.store.raise(draft('b', { at: T0 + 1 }));
    app.store.pickUp();
    expect(titles(app.told)).toEqual(['title of a', 'title of b']);
    expect(app.told).toEqual([...cli.told]);
    app.store.pickUp();
    cli.store.pickUp();
    expect(app.told).toHaveLength(2);
    expect(cli.told).toHaveLength(2);

    app.store.raise(draft('c'));
    cli.store.pickUp();
    app.store.pickUp();
    expect(titles(cli.told)).toEqual(['title of a', 'title of b', 'title of c']);
    expect(titles(app.told)).toEqual(['title of a', 'title of b', 'title of c']);
  });

  it('stores a key once between them: the second process’s raise of it is ignored', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    expect(cli.store.raise(draft('cap:wwan0:2026-03:1'))).not.toBeNull();
    expect(app.store.raise(draft('cap:wwan0:2026-03:1'))).toBeNull();
    app.store.pickUp();
    expect(titles(app.told)).toEqual(['title of cap:wwan0:2026-03:1']);
    expect(app.store.list()).toHaveLength(1);
  });

  it('tells nothing of what the other stored silently or the user already read', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    cli.store.raise(draft('quiet'), true);
    const seen = cli.store.raise(draft('seen'));
    cli.store.markRead([seen!.id]);
    cli.store.raise(draft('loud'));
    app.store.pickUp();
    expect(titles(app.told)).toEqual(['title of loud']);
  });

  it('passes on alerts written after rows the other process already looked at', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    for (const key of ['1', '2', '3']) {
      cli.store.raise(draft(key));
      app.store.pickUp();
    }
    expect(titles(app.told)).toEqual(['title of 1', 'title of 2', 'title of 3']);
  });
});

describe('the list and marking read', () => {
  it('lists newest first (ties in the order written, newest first), as many as asked', () => {
    const app = start(folder());
    app.store.raise(draft('old', { at: T0 }));
    app.store.raise(draft('tie-1', { at: T0 + 10 }));
    app.store.raise(draft('tie-2', { at: T0 + 10 }));
    app.store.raise(draft('mid', { at: T0 + 5 }));
    expect(titles(app.store.list())).toEqual([
      'title of tie-2',
      'title of tie-1',
      'title of mid',
      'title of old',
    ]);
    expect(titles(app.store.list(2))).toEqual(['title of tie-2', 'title of tie-1']);
  });

  it('lists at most 200 unless asked for more', () => {
    const app = start(folder());
    for (let i = 0; i < 201; i++) app.store.raise(draft(`k${i}`, { at: T0 + i }));
    expect(app.store.list()).toHaveLength(200);
    expect(app.store.list()[0]?.title).toBe('title of k200');
    expect(app.store.list(500)).toHaveLength(201);
  });

  it('marks only the alerts named read', () => {
    const app = start(folder());
    const a = app.store.raise(draft('a', { at: T0 + 2 }))!;
    const b = app.store.raise(draft('b', { at: T0 + 1 }))!;
    const c = app.store.raise(draft('c', { at: T0 }))!;
    app.store.markRead([a.id, c.id, 'no-such-id']);
    expect(app.store.list().map((x) => [x.id, x.read])).toEqual([
      [a.id, true],
      [b.id, false],
      [c.id, true],
    ]);
    app.store.markRead([]);
    expect(app.store.list().filter((x) => x.read)).toHaveLength(2);
  });
});

describe('pruning read alerts', () => {
  /** Prunes as the ledger does: inside a transaction. */
  const prune = (p: Process, before: number): void => p.sql.transaction(() => p.store.pruneRead(before));

  it('drops read alerts older than the limit; keeps unread ones, those at or after it, and the newest row', () => {
    const app = start(folder());
    const ids = (keys: string[]): string[] =>
      keys.map((key) => app.store.raise(draft(key, { at: key === 'at-limit' ? T0 : T0 - DAY }))!.id);
    const [oldRead, oldUnread, atLimit, newestRead] = ids([
      'old-read',
      'old-unread',
      'at-limit',
      'newest-read',
    ]);
    app.store.markRead([oldRead!, atLimit!, newestRead!]);
    prune(app, T0);
    expect(
      app.store
        .list()
        .map((a) => a.id)
        .sort(),
    ).toEqual([oldUnread, atLimit, newestRead].sort());
  });

  it('keeps the newest row so the next alert gets a new rowid, and another process still hears of it', () => {
    const dir = folder();
    const app = start(dir);
    const cli = start(dir);
    const only = app.store.raise(draft('old', { at: T0 - 400 * DAY }))!;
    cli.store.pickUp();
    app.store.markRead([only.id]);
    prune(app, T0 - 365 * DAY);
    expect(app.store.list()).toHaveLength(1);
    app.store.raise(draft('new'));
    cli.store.pickUp();
    expect(titles(cli.told)).toEqual(['title of old', 'title of new']);
  });
});
