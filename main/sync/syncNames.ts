/**
 * The names a sync gives things: its own folder in the local tree (parts of downloads on their way
 * in, the trash), the trash folder on the server, conflict copies and trash stamps.
 */

/** In the local folder's root: `incoming/` (downloads being fetched) and `trash/`. */
export const LOCAL_SYNC_DIR = '.pathwise-sync';
/** In the remote folder's root: replaced and deleted files, by run. */
export const REMOTE_TRASH_DIR = '.pathwise-trash';
/** An upload on its way to its name (large files go up under this name, then MOVE into place). */
export const UPLOAD_SUFFIX = '.pathwise-upload';

/** Paths the sync never lists or touches as user files, on either side. */
export function isReserved(relative: string): boolean {
  const top = relative.split('/')[0];
  return top === LOCAL_SYNC_DIR || top === REMOTE_TRASH_DIR || relative.endsWith(UPLOAD_SUFFIX);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** 2025-03-07T14-05-09 in local time: sorts, and is a valid file name everywhere. */
export function stamp(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}-${pad(d.getMinutes())}-${pad(d.getSeconds())}`;
}

/** The time a stamp names, or null for a name that is not one. */
export function stampTime(name: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)/.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(y as number, (mo as number) - 1, d, h, mi, s).getTime();
}

/**
 * The name a conflict copy gets: which side's version it is and when the conflict was found,
 * before the extension — "report.odt" → "report (conflict local 2025-03-07T14-05-09).odt".
 */
export function conflictName(relative: string, side: 'local' | 'remote', at: number): string {
  const slash = relative.lastIndexOf('/');
  const dir = relative.slice(0, slash + 1);
  const name = relative.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${dir}${stem} (conflict ${side} ${stamp(at)})${ext}`;
}
