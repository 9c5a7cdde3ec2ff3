import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the ledger, settings and journals live: --data-dir, PATHWISE_DATA_DIR, else the OS's app-data folder. */
export function resolveDataDir(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (flag) return flag;
  if (env['PATHWISE_DATA_DIR']) return env['PATHWISE_DATA_DIR'];
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Pathwise');
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Pathwise');
  return join(env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'pathwise');
}

/** The user's Downloads folder (XDG on Linux), where new downloads go unless settings say otherwise. */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['XDG_DOWNLOAD_DIR'] ?? join(homedir(), 'Downloads');
}
