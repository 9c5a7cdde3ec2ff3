import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Numbers this process's temp files: two writes in the same millisecond must not share one. */
let sequence = 0;

/**
 * Replace a file so a crash leaves either the old or the new content, never a torn one:
 * write a sibling temp file, fsync it, rename over the target, fsync the directory. Concurrent
 * writes of one file each use their own temp file; the last rename wins.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const temp = `${file}.${process.pid}.${++sequence}.tmp`;
  const handle = await open(temp, 'w', 0o600);
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
