import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { Settings, TransferInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when `file` is inside `folder` once symlinks and `..` are resolved. */
export function isInside(folder: string, file: string): boolean {
  const root = real(folder);
  const target = real(file);
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * `transfers.reveal` in the desktop app: shows a transfer's file in the OS file manager, but
 * only a file inside the download folder (a transfer record is data, and data is not trusted to
 * name arbitrary paths for the shell to open).
 */
export function createRevealHandler(options: {
  transfers: () => Promise<TransferInfo[]>;
  settings: () => Settings;
  showItemInFolder: (path: string) => void;
}): (id: string) => Promise<void> {
  return async (id) => {
    const transfer = (await options.transfers()).find((t) => t.id === id);
    if (!transfer) throw new PathwiseError('E_NOT_FOUND', 'That transfer no longer exists.');
    const folder = options.settings().downloadDir;
    if (!isInside(folder, transfer.file)) {
      throw new PathwiseError(
        'E_OUTSIDE_DOWNLOADS',
        `The file is not in your download folder (${folder}), so Pathwise will not open it.`,
      );
    }
    // A finished file, else its partial download, else at least the folder it goes to.
    const candidates = [transfer.file, `${transfer.file}.part`, dirname(transfer.file)];
    const existing = candidates.find((c) => existsSync(c));
    if (!existing) {
      throw new PathwiseError('E_NOT_FOUND', 'The file is no longer there: it was moved or deleted.');
    }
    options.showItemInFolder(existing);
  };
}
