import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isReserved } from './syncNames.ts';

/** A local file as the sync compares it: size and modification time, never its content. */
export interface LocalFile {
  size: number;
  mtimeMs: number;
}

export interface LocalTree {
  files: Map<string, LocalFile>;
  dirs: Set<string>;
  /** Links and special files: never followed or synced (a link could lead outside the folder). */
  skipped: string[];
}

/**
 * Lists the local folder: every regular file's size and mtime, in one lstat each — no file is
 * read, so an unchanged tree costs a walk and nothing more. The sync's own folder is left out.
 */
export async function scanLocal(root: string): Promise<LocalTree> {
  const tree: LocalTree = { files: new Map(), dirs: new Set(), skipped: [] };
  const queue = [''];
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    const entries = await readdir(join(root, dir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (isReserved(relative)) continue;
      if (entry.isDirectory()) {
        tree.dirs.add(relative);
        queue.push(relative);
      } else if (entry.isFile()) {
        const stat = await lstat(join(root, relative)).catch(() => null);
        if (stat?.isFile()) tree.files.set(relative, { size: stat.size, mtimeMs: stat.mtimeMs });
      } else {
        tree.skipped.push(relative);
      }
    }
  }
  return tree;
}

/** One look at a file now; null when it is gone or no longer a plain file. */
export async function lookAt(root: string, relative: string): Promise<LocalFile | null> {
  const stat = await lstat(join(root, relative)).catch(() => null);
  return stat?.isFile() ? { size: stat.size, mtimeMs: stat.mtimeMs } : null;
}

export function sameLocal(a: LocalFile | null, b: LocalFile | null): boolean {
  return a !== null && b !== null && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * Files that may still be being written: modified within `quietMs`, and different at a second
 * look `quietMs` later. They are left for the next run rather than uploaded half-done; a file
 * that is merely recent but stands still is taken.
 */
export async function stillWriting(
  root: string,
  files: Map<string, LocalFile>,
  quietMs: number,
  now = Date.now(),
): Promise<Set<string>> {
  const recent = [...files].filter(([, f]) => now - f.mtimeMs < quietMs);
  if (recent.length === 0) return new Set();
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  const busy = new Set<string>();
  for (const [path, before] of recent) {
    const after = await lookAt(root, path);
    if (!sameLocal(before, after)) busy.add(path);
  }
  return busy;
}
