import { constants } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { PathwiseError } from '../../common/errors.ts';
import { plainFileOrNothing, readPlainFile } from './localFiles.ts';
import { TransferErrorCodes } from './transferErrors.ts';

/** Created anew or not at all (O_EXCL also refuses a link under the name). */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes sure only one download at a time fills a part file: `<part>.lock` holds the owner's pid.
 * A lock left by a dead process (kill -9) is taken over, so a re-run resumes. A lock that is a
 * symbolic link (or not a plain file) is refused with E_OUTSIDE_DOWNLOADS, never read or removed.
 */
export async function lockDownload(partPath: string, finalPath: string): Promise<() => Promise<void>> {
  const lockPath = `${partPath}.lock`;
  const busy = (pid: number | string): PathwiseError =>
    new PathwiseError(
      TransferErrorCodes.busy,
      `${finalPath} is already being downloaded (process ${pid}). Wait for it, or stop it first.`,
    );
  if (held.has(lockPath)) throw busy(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, CREATE_NEW, 0o644);
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(lockPath);
      return async () => {
        held.delete(lockPath);
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if ((await plainFileOrNothing(lockPath)) === 'missing') continue;
      const pid = Number((await readPlainFile(lockPath).catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw busy(pid);
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw busy('unknown');
}
