import {
  appendFileSync,
  chmodSync,
  closeSync,
  copyFileSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { errorCode, errorMessage, PathwiseError } from '../../common/errors.ts';
import { defaultDataDir, electronUserDataDir, samePath } from './dataDir.ts';

/** In the data home once the app's old folder has been dealt with: the move runs once. */
export const MOVE_MARKER = '.moved-from-app-folder.json';
/** Left next to what the move touched, for a person who looks in either folder. */
export const MOVE_NOTE = 'PATHWISE-DATA-MOVED.txt';
const LOCK = '.moving.lock';

/** What moves, each file with the files that belong to it (SQLite's write-ahead log and index). */
const UNITS = [
  { name: 'ledger.sqlite', sidecars: ['-wal', '-shm'], sqlite: true },
  { name: 'settings.json', sidecars: [], sqlite: false },
] as const;
type Unit = (typeof UNITS)[number];

export interface DataHomeOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  now?: () => number;
}

/**
 * Makes `dir` ready to hold Pathwise's data: created private (0700), an existing one tightened to
 * 0700; and when it is the one data home (dataDir.ts), the Electron app's files from before issue
 * 22 moved into it, once. Returns what the user should be told. Cheap once done (a mkdir, a stat,
 * an existence check), so `pathwise get` pays nothing for it.
 */
export function prepareDataHome(dir: string, options: DataHomeOptions = {}): string[] {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const warnings: string[] = [];
  makePrivateDir(dir, platform, warnings);
  if (samePath(dir, defaultDataDir(env, platform), platform)) {
    const old = electronUserDataDir(env, platform);
    if (!samePath(old, dir, platform)) warnings.push(...moveOnce(old, dir, options.now ?? Date.now));
  }
  return warnings;
}

function makePrivateDir(dir: string, platform: string, warnings: string[]): void {
  try {
    mkdirSync(dirname(dir), { recursive: true });
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw diskError(`The data folder ${dir} cannot be created`, error);
  }
  const stat = statSync(dir);
  if (!stat.isDirectory()) {
    throw new PathwiseError('E_DISK', `${dir} is not a folder: choose another data folder (--data-dir).`);
  }
  // Windows guards the folder with ACLs (its user profile's), not mode bits.
  if (platform === 'win32' || (stat.mode & 0o077) === 0) return;
  // Never a folder that is shared by design: /tmp (sticky), the home folder, one owned by another user.
  const shared = (stat.mode & 0o1000) !== 0 || samePath(dir, homedir()) || stat.uid !== process.getuid?.();
  if (shared) return;
  try {
    chmodSync(dir, 0o700);
  } catch (error) {
    warnings.push(
      `The data folder ${dir} can be read by other users and could not be made private (${errorMessage(error)}); run "chmod 700 ${dir}".`,
    );
  }
}

function diskError(what: string, error: unknown): PathwiseError {
  return new PathwiseError('E_DISK', `${what}: ${errorMessage(error)}.`, { cause: error });
}

interface Moved {
  file: string;
  /** Both folders had it: where the older copy was kept (it stays in its own folder). */
  aside?: string;
  /** Which folder's copy is in use now. */
  kept?: string;
}

/**
 * The one-time move from `from` (Electron's old userData) into `home`: never loses a file (what
 * is not moved stays where it was, renamed if it lost to a newer copy), may run again after a
 * crash halfway (each step is a rename that happened or not), and two processes never run it at once.
 */
function moveOnce(from: string, home: string, now: () => number): string[] {
  const marker = join(home, MOVE_MARKER);
  if (existsSync(marker)) return [];
  if (!existsSync(from)) {
    writeMarker(marker, { from, at: new Date(now()).toISOString(), moved: [] });
    return [];
  }
  const release = takeLock(join(home, LOCK));
  if (!release) return []; // another Pathwise is moving them right now
  try {
    const moved = UNITS.map((unit) => moveUnit(unit, from, home, now)).filter((m) => m !== null);
    writeNotes(moved, from, home, now);
    writeMarker(marker, { from, at: new Date(now()).toISOString(), moved });
    return moved.length === 0 ? [] : [movedText(moved, from, home)];
  } catch (error) {
    return [
      `Pathwise's files in ${from} could not all be moved to ${home} (${errorMessage(error)}); nothing was deleted, and Pathwise tries again next time.`,
    ];
  } finally {
    release();
  }
}

function moveUnit(unit: Unit, from: string, home: string, now: () => number): Moved | null {
  const source = join(from, unit.name);
  const target = join(home, unit.name);
  if (!existsSync(source)) return null;
  // When each was last written, before the checkpoint writes the old one.
  const [sourceTime, targetTime] = [newest(source, unit.sidecars), newest(target, unit.sidecars)];
  if (unit.sqlite) checkpoint(source);
  if (!existsSync(target)) {
    moveWithSidecars(source, target, unit.sidecars, now);
    return { file: unit.name };
  }
  // Both folders have one: the newer is used, the older stays in its folder under another name.
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  if (targetTime >= sourceTime) {
    const aside = asideName(source, stamp);
    renameWithSidecars(source, aside, unit.sidecars);
    return { file: unit.name, aside, kept: home };
  }
  const aside = asideName(target, stamp);
  renameWithSidecars(target, aside, unit.sidecars);
  moveWithSidecars(source, target, unit.sidecars, now);
  return { file: unit.name, aside, kept: from };
}

/**
 * Folds the old ledger's write-ahead log into the file, so what moves is one complete database.
 * A database another process is writing (an older Pathwise still running) is left for next time.
 */
function checkpoint(file: string): void {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { timeout: 0 });
    const result = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy?: number } | undefined;
    if (result?.busy) throw new Error('busy');
  } catch (error) {
    // Not a database at all: it moves as it is (the ledger moves a corrupt file aside itself).
    if (/not a database|malformed/i.test(errorMessage(error))) return;
    throw new Error(`${file} is in use by another Pathwise process; quit it`, { cause: error });
  } finally {
    db?.close();
  }
}

function newest(file: string, sidecars: readonly string[]): number {
  return Math.max(
    ...[file, ...sidecars.map((s) => file + s)].map(
      (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0,
    ),
  );
}

/** `ledger.sqlite` → `ledger-older-<time>.sqlite`: its -wal and -shm keep matching its name. */
function asideName(file: string, stamp: string): string {
  return file.replace(/(\.[^./\\]+)?$/, (ext) => `-older-${stamp}${ext}`);
}

function renameWithSidecars(file: string, to: string, sidecars: readonly string[]): void {
  for (const suffix of sidecars) renameIfThere(file + suffix, to + suffix);
  renameSync(file, to);
}

/** Sidecars first: a crash between leaves the database where it was, with its log beside it. */
function moveWithSidecars(file: string, to: string, sidecars: readonly string[], now: () => number): void {
  for (const suffix of sidecars) {
    if (!existsSync(file + suffix)) continue;
    // A log in the new folder without its database belongs to nothing; it is kept, not overwritten.
    if (existsSync(to + suffix)) renameSync(to + suffix, `${to}${suffix}.orphan-${now()}`);
    moveFile(file + suffix, to + suffix);
  }
  moveFile(file, to);
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

/** A rename; across file systems a copy (synced, then renamed into place) and then the unlink. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
    return;
  } catch (error) {
    if (errorCode(error) !== 'EXDEV') throw error;
  }
  const temp = `${to}.${process.pid}.moving`;
  copyFileSync(from, temp, constants.COPYFILE_EXCL);
  const fd = openSync(temp, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, to);
  unlinkSync(from);
}

/** An exclusive lock file with our pid; a lock whose process is gone is taken over. */
function takeLock(file: string): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) return null;
      unlinkSync(file);
    }
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

function writeMarker(file: string, value: { from: string; at: string; moved: Moved[] }): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

function movedText(moved: Moved[], from: string, home: string): string {
  const plain = moved.filter((m) => !m.aside).map((m) => m.file);
  const both = moved.filter((m) => m.aside);
  const lines = [
    `Pathwise keeps its data in one folder for the app and the command line now: ${home}.`,
    ...(plain.length ? [`Moved ${plain.join(' and ')} there from ${from}.`] : []),
    ...both.map(
      (m) =>
        `Both folders had ${m.file}: the newer one (from ${m.kept}) is in use; the older one is kept as ${m.aside}.`,
    ),
  ];
  return lines.join(' ');
}

/** A note in each folder the move changed, saying what went where (appended, never replaced). */
function writeNotes(moved: Moved[], from: string, home: string, now: () => number): void {
  if (moved.length === 0) return;
  const text = `${new Date(now()).toISOString()}  ${movedText(moved, from, home)}\n`;
  const folders = new Set([from, ...moved.flatMap((m) => (m.aside ? [dirname(m.aside)] : []))]);
  for (const folder of folders) appendFileSync(join(folder, MOVE_NOTE), text, { mode: 0o600 });
}
