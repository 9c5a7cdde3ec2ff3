import { constants } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { TransferErrorCodes } from './transferErrors.ts';

/*
 * The download's own files (`.part`, `.part.json`, `.part.lock`) are opened so that nothing
 * planted under their names can send a write elsewhere: a symbolic link is never followed
 * (O_NOFOLLOW, and lstat before a name is reused), a fresh file is created with O_EXCL (which
 * also refuses a link), and an existing one must be a regular file with no other name (a hard
 * link to a file outside the download folder would be written through just the same).
 */

/** 0 where the platform has no O_NOFOLLOW (Windows, whose links need privileges to make). */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** The refusal for a name that is a link or not a plain file: it is left alone, never followed. */
export function notAPlainFile(file: string, what: string): PathwiseError {
  return new PathwiseError(
    TransferErrorCodes.outside,
    `${file} is ${what}, so writing to it could change a file outside ${dirname(file)}; Pathwise never follows it. Remove it (or choose another name) and run the download again.`,
  );
}

/** Linux and macOS say ELOOP for O_NOFOLLOW on a link; FreeBSD says EMLINK. */
function isLinkRefusal(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ELOOP' || code === 'EMLINK';
}

/** What is at `file` without following it: 'missing', 'file' (a plain file), or a refusal. */
export async function plainFileOrNothing(file: string): Promise<'missing' | 'file'> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (info.isSymbolicLink()) throw notAPlainFile(file, 'a symbolic link');
  if (!info.isFile()) throw notAPlainFile(file, 'not a regular file');
  return 'file';
}

/**
 * Opens an existing file of the download (`flags`: O_RDONLY or O_RDWR) without following a link,
 * and only if it is a regular file with this one name. ENOENT passes through untouched.
 */
export async function openExisting(file: string, flags: number): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, flags | NOFOLLOW);
  } catch (error) {
    if (isLinkRefusal(error)) throw notAPlainFile(file, 'a symbolic link');
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notAPlainFile(file, 'not a regular file');
    if (info.nlink > 1) throw notAPlainFile(file, `a hard link (the file has ${info.nlink} names)`);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  return handle;
}

/**
 * Creates `file` anew for reading and writing (O_CREAT | O_EXCL, which refuses any name that
 * exists, a link included). A plain file left under the name is ours to replace (the lock is
 * held) and is removed first; a link or anything else is refused.
 */
export async function createFresh(file: string, mode = 0o644): Promise<FileHandle> {
  if ((await plainFileOrNothing(file)) === 'file') await unlink(file);
  try {
    return await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, mode);
  } catch (error) {
    if (isLinkRefusal(error)) throw notAPlainFile(file, 'a symbolic link');
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Something took the name between the check and the open: a link is named as such.
    await plainFileOrNothing(file);
    throw new PathwiseError(
      TransferErrorCodes.busy,
      `${file} was created by another program while Pathwise prepared it; Pathwise leaves it alone. Run the download again.`,
    );
  }
}

/** Reads a small file of the download (the journal, the lock) without following a link. */
export async function readPlainFile(file: string): Promise<string> {
  const handle = await openExisting(file, constants.O_RDONLY);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
