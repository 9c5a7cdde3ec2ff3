import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LOCAL_SYNC_DIR, REMOTE_TRASH_DIR, stamp, stampTime } from './syncNames.ts';
import type { WebDavClient } from './WebDavClient.ts';

const DAY = 86_400_000;

/**
 * Where a sync puts what it replaces or deletes, so that nothing it does is beyond repair: on
 * each side a folder per run, `<stamp>/<path>` — locally in `.pathwise-sync/trash/`, on the
 * server in `.pathwise-trash/` (a server-side MOVE or COPY: no bytes cross the network). Runs
 * older than `keepDays` are removed at the end of a run that converged.
 */
export class SyncTrash {
  readonly runStamp: string;
  private readonly localRoot: string;
  private readonly client: WebDavClient;

  constructor(localRoot: string, client: WebDavClient, at = Date.now()) {
    this.localRoot = localRoot;
    this.client = client;
    this.runStamp = stamp(at);
  }

  localTrashDir(): string {
    return join(this.localRoot, LOCAL_SYNC_DIR, 'trash');
  }

  /** Moves a local file into this run's trash; returns where it went (relative to the root). */
  async trashLocal(relative: string): Promise<string> {
    const target = join(LOCAL_SYNC_DIR, 'trash', this.runStamp, relative);
    await mkdir(dirname(join(this.localRoot, target)), { recursive: true });
    await rename(join(this.localRoot, relative), join(this.localRoot, target));
    return target;
  }

  /**
   * Removes a local folder the run emptied, its name kept in this run's trash: `rmdir` takes only
   * an empty folder, so whatever came into it meanwhile stays ("busy"). "gone": it was not there.
   */
  async trashLocalDir(relative: string): Promise<'removed' | 'busy' | 'gone'> {
    try {
      await rmdir(join(this.localRoot, relative));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'gone';
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return 'busy';
      throw error;
    }
    await mkdir(join(this.localRoot, LOCAL_SYNC_DIR, 'trash', this.runStamp, relative), { recursive: true });
    return 'removed';
  }

  /** Moves a remote folder, with what is in it, into this run's trash on the server. */
  async trashRemoteDir(relative: string): Promise<string> {
    const target = this.remoteTrashPath(relative);
    await this.client.move(relative, target, { dir: true, overwrite: false });
    return target;
  }

  remoteTrashPath(relative: string): string {
    return `${REMOTE_TRASH_DIR}/${this.runStamp}/${relative}`;
  }

  /** Moves a remote file into this run's trash on the server. */
  async trashRemote(relative: string): Promise<string> {
    const target = this.remoteTrashPath(relative);
    await this.client.move(relative, target, { overwrite: true });
    return target;
  }

  /** Copies the remote version about to be replaced into the trash (the file stays in place). */
  async keepRemoteVersion(relative: string): Promise<string> {
    const target = this.remoteTrashPath(relative);
    await this.client.copy(relative, target);
    return target;
  }

  /** Removes trash runs older than `keepDays` on both sides. */
  async prune(keepDays: number, now = Date.now()): Promise<number> {
    const before = now - keepDays * DAY;
    let removed = 0;
    const local = await readdir(this.localTrashDir()).catch(() => [] as string[]);
    for (const name of local) {
      const at = stampTime(name);
      if (at !== null && at < before) {
        await rm(join(this.localTrashDir(), name), { recursive: true, force: true });
        removed++;
      }
    }
    const remote = await this.client.list(REMOTE_TRASH_DIR).catch(() => []);
    for (const entry of remote) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      const at = stampTime(name);
      if (entry.isDir && at !== null && at < before) {
        await this.client.delete(entry.path, true);
        removed++;
      }
    }
    return removed;
  }
}
