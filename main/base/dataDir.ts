import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The one data home (ledger, settings, journals) of the app, `pathwise serve` and the CLI alike.
 *
 * - macOS: `~/Library/Application Support/Pathwise`; Windows: `%APPDATA%\Pathwise`. Both are also
 *   Electron's `userData` for this app, so the two sides have always agreed there.
 * - Linux: `$XDG_DATA_HOME/pathwise`, else `~/.local/share/pathwise` — not Electron's `userData`
 *   (`$XDG_CONFIG_HOME/Pathwise`, `~/.config/Pathwise`), which the app used until issue 22. Why:
 *   the ledger is data that grows for as long as Pathwise is used (day rows are kept forever),
 *   and the XDG spec puts such data in XDG_DATA_HOME, while `~/.config` is what people back up,
 *   sync and keep in dotfile repositories; and Electron fills its `userData` with Chromium's
 *   caches, cookies and GPU cache, which don't belong next to a usage history. The CLI has used
 *   this folder from the start; the app's old files move here once (dataHome.ts).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = homeOf(env, platform);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Pathwise');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'Pathwise');
  return join(xdg(env['XDG_DATA_HOME']) ?? join(home, '.local', 'share'), 'pathwise');
}

/**
 * Where Electron keeps this app's `userData` by default (`app.getPath('userData')`: its appData
 * folder plus the product name): the Electron shell's data folder before issue 22.
 */
export function electronUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  const home = homeOf(env, platform);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Pathwise');
  if (platform === 'win32') return join(env['APPDATA'] || join(home, 'AppData', 'Roaming'), 'Pathwise');
  return join(xdg(env['XDG_CONFIG_HOME']) ?? join(home, '.config'), 'Pathwise');
}

/**
 * Where the ledger, settings and journals live: --data-dir; else an Electron `userData` the user
 * chose (`--user-data-dir`, i.e. one that is not Electron's default for this app); else
 * PATHWISE_DATA_DIR; else the one data home (`defaultDataDir`).
 */
export function resolveDataDir(
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
  electronUserData?: string,
): string {
  if (flag) return resolve(flag);
  if (electronUserData && !samePath(electronUserData, electronUserDataDir(env, platform), platform)) {
    return resolve(electronUserData);
  }
  if (env['PATHWISE_DATA_DIR']) return resolve(env['PATHWISE_DATA_DIR']);
  return defaultDataDir(env, platform);
}

/** The user's Downloads folder (XDG on Linux), where new downloads go unless settings say otherwise. */
export function defaultDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['XDG_DOWNLOAD_DIR'] ?? join(homedir(), 'Downloads');
}

export function samePath(a: string, b: string, platform = process.platform): boolean {
  const [x, y] = [resolve(a), resolve(b)];
  // Windows and macOS file systems ignore case by default.
  return platform === 'darwin' || platform === 'win32' ? x.toLowerCase() === y.toLowerCase() : x === y;
}

function homeOf(env: NodeJS.ProcessEnv, platform: string): string {
  return (platform === 'win32' ? env['USERPROFILE'] : env['HOME']) || homedir();
}

/** An XDG base directory: the spec says a relative (or empty) value is to be ignored. */
function xdg(value: string | undefined): string | undefined {
  return value && isAbsolute(value) ? value : undefined;
}
