import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { defaultDataDir, electronUserDataDir, resolveDataDir } from '../../main/base/dataDir.ts';
import { MOVE_MARKER, MOVE_NOTE, prepareDataHome } from '../../main/base/dataHome.ts';

/** A home folder of its own for each test: nothing here reads or writes the real one. */
function fakeHome(extra: NodeJS.ProcessEnv = {}): {
  env: NodeJS.ProcessEnv;
  home: string;
  old: string;
  one: string;
} {
  const home = mkdtempSync(join(tmpdir(), 'pw-home-'));
  const env = { HOME: home, ...extra };
  return { env, home, old: electronUserDataDir(env, 'linux'), one: defaultDataDir(env, 'linux') };
}

const prepare = (dir: string, env: NodeJS.ProcessEnv, now = () => Date.parse('2026-03-01T10:00:00Z')) =>
  prepareDataHome(dir, { env, platform: 'linux', now });

const mode = (dir: string): number => statSync(dir).mode & 0o777;

/** A ledger in WAL mode copied while its writer still had it open: its rows are only in the -wal. */
function ledgerWithWal(folder: string, rows: number): void {
  mkdirSync(folder, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'pw-wal-'));
  const db = new DatabaseSync(join(scratch, 'ledger.sqlite'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (n INTEGER)');
  for (let i = 0; i < rows; i++) db.prepare('INSERT INTO t VALUES (?)').run(i);
  for (const suffix of ['', '-wal', '-shm']) {
    copyFileSync(join(scratch, `ledger.sqlite${suffix}`), join(folder, `ledger.sqlite${suffix}`));
  }
  db.close();
}

function rowsIn(file: string): number {
  const db = new DatabaseSync(file);
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the one data home (issue 22)', () => {
  it('is XDG_DATA_HOME/pathwise on Linux, Electron’s own folder on macOS and Windows', () => {
    expect(defaultDataDir({ HOME: '/h' }, 'linux')).toBe('/h/.local/share/pathwise');
    expect(defaultDataDir({ HOME: '/h', XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/pathwise');
    // The XDG spec: a relative value is ignored.
    expect(defaultDataDir({ HOME: '/h', XDG_DATA_HOME: 'rel' }, 'linux')).toBe('/h/.local/share/pathwise');
    expect(electronUserDataDir({ HOME: '/h' }, 'linux')).toBe('/h/.config/Pathwise');
    expect(electronUserDataDir({ HOME: '/h', XDG_CONFIG_HOME: '/c' }, 'linux')).toBe('/c/Pathwise');
    const mac = { HOME: '/Users/me' };
    expect(defaultDataDir(mac, 'darwin')).toBe('/Users/me/Library/Application Support/Pathwise');
    expect(electronUserDataDir(mac, 'darwin')).toBe(defaultDataDir(mac, 'darwin'));
    const win = { USERPROFILE: '/u', APPDATA: '/u/AppData/Roaming' };
    expect(defaultDataDir(win, 'win32')).toBe('/u/AppData/Roaming/Pathwise');
    expect(electronUserDataDir(win, 'win32')).toBe(defaultDataDir(win, 'win32'));
  });

  it('is what the app and the CLI resolve alike; --data-dir, PATHWISE_DATA_DIR or a chosen userData win', () => {
    const env = { HOME: '/h' };
    const electronDefault = electronUserDataDir(env, 'linux');
    expect(resolveDataDir(undefined, env, 'linux')).toBe('/h/.local/share/pathwise');
    // The Electron shell passes its userData: Electron's default is not a choice, the one home is used.
    expect(resolveDataDir(undefined, env, 'linux', electronDefault)).toBe('/h/.local/share/pathwise');
    expect(resolveDataDir(undefined, env, 'linux', '/chosen')).toBe('/chosen');
    expect(resolveDataDir('/flag', env, 'linux', '/chosen')).toBe('/flag');
    expect(
      resolveDataDir(undefined, { ...env, PATHWISE_DATA_DIR: '/envdir' }, 'linux', electronDefault),
    ).toBe('/envdir');
  });

  it('is created private (0700), and an existing one is made private', () => {
    const { env, one } = fakeHome();
    expect(prepare(one, env)).toEqual([]);
    expect(mode(one)).toBe(0o700);
    const other = mkdtempSync(join(tmpdir(), 'pw-open-'));
    const open = join(other, 'data');
    mkdirSync(open, { mode: 0o755 });
    expect(mode(open)).toBe(0o755);
    prepare(open, env);
    expect(mode(open)).toBe(0o700);
  });
});

describe('the one-time move of the app’s old files into the data home', () => {
  it('moves the ledger (with its -wal and -shm) and settings.json, and leaves Chromium’s files', () => {
    const { env, old, one } = fakeHome();
    ledgerWithWal(old, 25);
    writeFileSync(join(old, 'settings.json'), '{"notifications": false}');
    mkdirSync(join(old, 'GPUCache'));
    writeFileSync(join(old, 'Preferences'), '{}');
    const warnings = prepare(one, env);
    expect(warnings.join(' ')).toContain(`Moved ledger.sqlite and settings.json there from ${old}`);
    expect(rowsIn(join(one, 'ledger.sqlite'))).toBe(25);
    expect(readFileSync(join(one, 'settings.json'), 'utf8')).toBe('{"notifications": false}');
    expect(readdirSync(old).sort()).toEqual(['GPUCache', MOVE_NOTE, 'Preferences'].sort());
    expect(readFileSync(join(old, MOVE_NOTE), 'utf8')).toContain(one);
    const marker = JSON.parse(readFileSync(join(one, MOVE_MARKER), 'utf8')) as {
      from: string;
      moved: unknown[];
    };
    expect(marker).toMatchObject({
      from: old,
      moved: [{ file: 'ledger.sqlite' }, { file: 'settings.json' }],
    });
  });

  it('keeps the newer copy when both folders have one, and the older one renamed in its own folder', () => {
    const { env, old, one } = fakeHome();
    mkdirSync(one, { recursive: true });
    ledgerWithWal(old, 3);
    ledgerWithWal(one, 7);
    writeFileSync(join(old, 'settings.json'), '{"from": "app"}');
    writeFileSync(join(one, 'settings.json'), '{"from": "cli"}');
    // The app's ledger is older; its settings are newer.
    const [past, recent] = [new Date('2026-01-01'), new Date('2026-02-01')];
    for (const s of ['', '-wal', '-shm']) utimesSync(join(old, `ledger.sqlite${s}`), past, past);
    for (const s of ['', '-wal', '-shm']) utimesSync(join(one, `ledger.sqlite${s}`), recent, recent);
    utimesSync(join(one, 'settings.json'), past, past);
    utimesSync(join(old, 'settings.json'), recent, recent);
    const warnings = prepare(one, env).join(' ');

    expect(rowsIn(join(one, 'ledger.sqlite'))).toBe(7);
    const oldLedger = readdirSync(old).find((f) => /^ledger-older-.*\.sqlite$/.test(f)) as string;
    expect(rowsIn(join(old, oldLedger))).toBe(3);
    expect(warnings).toContain(`Both folders had ledger.sqlite: the newer one (from ${one}) is in use`);

    expect(readFileSync(join(one, 'settings.json'), 'utf8')).toBe('{"from": "app"}');
    const oldSettings = readdirSync(one).find((f) => /^settings-older-.*\.json$/.test(f)) as string;
    expect(readFileSync(join(one, oldSettings), 'utf8')).toBe('{"from": "cli"}');
    expect(warnings).toContain(`Both folders had settings.json: the newer one (from ${old}) is in use`);
    // A note next to each older copy says what happened.
    expect(readFileSync(join(old, MOVE_NOTE), 'utf8')).toContain(oldLedger);
    expect(readFileSync(join(one, MOVE_NOTE), 'utf8')).toContain(oldSettings);
  });
});

describe('the one-time move: once, safely, and only where it belongs', () => {
  it('runs once: a second run, or a file the old app writes later, changes nothing', () => {
    const { env, old, one } = fakeHome();
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'settings.json'), '{"a": 1}');
    expect(prepare(one, env)).toHaveLength(1);
    const after = readdirSync(one).sort();
    writeFileSync(join(old, 'settings.json'), '{"a": 2}');
    expect(prepare(one, env)).toEqual([]);
    expect(readdirSync(one).sort()).toEqual(after);
    expect(readFileSync(join(one, 'settings.json'), 'utf8')).toBe('{"a": 1}');
    expect(readFileSync(join(old, 'settings.json'), 'utf8')).toBe('{"a": 2}');
  });

  it('finishes a move a crash interrupted after the log had moved, and loses no row', () => {
    const { env, old, one } = fakeHome();
    ledgerWithWal(old, 4);
    // As if a run died between moving the -wal and -shm and moving the database itself.
    mkdirSync(one, { recursive: true });
    for (const s of ['-wal', '-shm'])
      renameSync(join(old, `ledger.sqlite${s}`), join(one, `ledger.sqlite${s}`));
    prepare(one, env);
    expect(rowsIn(join(one, 'ledger.sqlite'))).toBe(4);
    expect(readdirSync(old).filter((f) => f.startsWith('ledger'))).toEqual([]);
  });

  it('waits for another Pathwise that is moving the files, and takes over a lock its dead owner left', () => {
    const { env, old, one } = fakeHome();
    mkdirSync(old, { recursive: true });
    mkdirSync(one, { recursive: true });
    writeFileSync(join(old, 'settings.json'), '{}');
    writeFileSync(join(one, '.moving.lock'), String(process.pid));
    expect(prepare(one, env)).toEqual([]);
    expect(existsSync(join(one, MOVE_MARKER))).toBe(false);
    expect(existsSync(join(old, 'settings.json'))).toBe(true);
    // No process has pid 2^22 + 1 (Linux's pid_max is at most 2^22).
    writeFileSync(join(one, '.moving.lock'), String(2 ** 22 + 1));
    expect(prepare(one, env)).toHaveLength(1);
    expect(existsSync(join(one, 'settings.json'))).toBe(true);
    expect(existsSync(join(one, '.moving.lock'))).toBe(false);
  });

  it('moves nothing into a folder chosen with --data-dir or PATHWISE_DATA_DIR', () => {
    const { env, old } = fakeHome();
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'settings.json'), '{}');
    const chosen = mkdtempSync(join(tmpdir(), 'pw-chosen-'));
    expect(prepare(chosen, env)).toEqual([]);
    expect(readdirSync(chosen)).toEqual([]);
    expect(existsSync(join(old, 'settings.json'))).toBe(true);
  });

  it('moves nothing on macOS and Windows, where both sides always used one folder', () => {
    const home = mkdtempSync(join(tmpdir(), 'pw-home-'));
    const env = { HOME: home };
    const dir = defaultDataDir(env, 'darwin');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settings.json'), '{}');
    expect(prepareDataHome(dir, { env, platform: 'darwin' })).toEqual([]);
    expect(readdirSync(dir)).toEqual(['settings.json']);
  });
});
