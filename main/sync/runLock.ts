import { constants } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One run of a job at a time (the CLI and the app may both try): `run.lock` in the job's folder
 * holds the runner's pid; a lock left by a dead process (kill -9) is taken over.
 */
export async function lockRun(journalDir: string, name: string): Promise<() => Promise<void>> {
  await mkdir(journalDir, { recursive: true });
  const file = join(journalDir, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(file).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new PathwiseError('E_BUSY', `The sync job "${name}" is running already (process ${pid}).`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new PathwiseError('E_BUSY', `The sync job "${name}" could not be locked for a run.`);
}
