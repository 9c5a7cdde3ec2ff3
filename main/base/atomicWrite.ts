import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Numbers this process's temp files: two writes in the same millisecond must not share one. */
let sequence = 0;

/** A temp file is always a new file (O_EXCL: a name that exists, a symbolic link included, is refused). */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** Names tried before giving up when the temp names are taken (left by a crash, or planted). */
const TEMP_ATTEMPTS = 16;

/**
 * Creates a fresh sibling temp file of `file`. An existing name is never opened, so a link
 * planted under a predictable temp name can't send the write elsewhere; the next name is tried.
 */
async function createTemp(file: string): Promise<{ temp: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const temp = `${file}.${process.pid}.${++sequence}.tmp`;
    try {
      return { temp, handle: await open(temp, CREATE_NEW, 0o600) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= TEMP_ATTEMPTS) throw error;
    }
  }
}

/**
 * Replace a file so a crash leaves either the old or the new content, never a torn one:
 * write a sibling temp file, fsync it, rename over the target, fsync the directory. Concurrent
 * writes of one file each use their own temp file; the last rename wins. The rename replaces a
 * symbolic link at `file` itself, never the file it points to.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const { temp, handle } = await createTemp(file);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, file);
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
