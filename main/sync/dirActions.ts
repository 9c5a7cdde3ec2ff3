import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext } from './fileActions.ts';
import type { DirAction } from './reconcileDirs.ts';

/** A folder's action (reconcileDirs.ts); the journal learns each as it is done. */
export async function runDirAction(action: DirAction, ctx: ActionContext): Promise<void> {
  const { journal, tally } = ctx;
  switch (action.kind) {
    case 'mkdirLocal':
      await mkdir(join(ctx.localRoot, action.path), { recursive: true });
      journal.putDir(action.path);
      tally.folders++;
      return;
    case 'mkdirRemote':
      await ctx.client.ensureDir(action.path);
      journal.putDir(action.path);
      tally.folders++;
      return;
    case 'deleteLocalDir': {
      const outcome = await ctx.trash.trashLocalDir(action.path);
      // Something came into it since the listing: the next round judges it.
      if (outcome === 'busy') {
        tally.deferred.push(action.path);
        return;
      }
      journal.removeDir(action.path);
      if (outcome === 'removed') tally.deleted++;
      return;
    }
    case 'deleteRemoteDir':
      await ctx.trash.trashRemoteDir(action.path);
      journal.transaction(() => {
        for (const file of action.files) journal.remove(file);
        for (const dir of [...action.dirs, action.path]) journal.removeDir(dir);
      });
      tally.deleted += action.files.length + action.dirs.length + 1;
      return;
  }
}
