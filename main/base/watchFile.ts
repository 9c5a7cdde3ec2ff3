import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface WatchFileOptions {
  /** How long things must be quiet after the last event before `onChange` runs. */
  quietMs?: number;
  /** The folder can't be watched (e.g. the OS's limit on watches), or the watch broke. */
  onError?: (error: Error) => void;
}

/**
 * Calls `onChange` once things settle whenever `file` is written, replaced or removed, by this
 * process or another. Watches the folder, not the file: an atomic write replaces the file (a new
 * inode), which a watch on the file itself would stop hearing. Holds no process open. Returns the
 * function that stops watching.
 */
export function watchFile(file: string, onChange: () => void, options: WatchFileOptions = {}): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const fail = (error: Error): void => {
    watcher?.close();
    options.onError?.(error);
  };
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      // Other files in the folder (the ledger, an atomic write's temp file) are not ours.
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, options.quietMs ?? 100);
      timer.unref();
    });
    watcher.on('error', fail);
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
