import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { diskError, TransferErrorCodes } from './transferErrors.ts';

/*
 * The last step of a download, in a file of its own because it is the one that must never destroy
 * anything: the finished part file gets its final name only if that name is free.
 */

/** Whether anything has this name: a symbolic link counts, even one that points nowhere. */
export async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gives the finished part file its final name without ever replacing an existing file: a hard
 * link fails if the name is taken (rename would overwrite silently). Filesystems without hard
 * links fall back to a checked rename.
 */
export async function publish(partPath: string, finalPath: string): Promise<void> {
  try {
    await link(partPath, finalPath);
    await unlink(partPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${finalPath} appeared while downloading; Pathwise never overwrites a file. The download is kept in ${partPath}.`,
      );
    }
    if (!(
      code === 'EPERM' ||
      code === 'ENOTSUP' ||
      code === 'EOPNOTSUPP' ||
      code === 'EXDEV' ||
      code === 'EMLINK'
    )) {
      throw diskError(error, finalPath);
    }
    if (await exists(finalPath)) {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${finalPath} appeared while downloading; the download is kept in ${partPath}.`,
      );
    }
    await rename(partPath, finalPath);
  }
  const dir = await open(dirname(finalPath), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
