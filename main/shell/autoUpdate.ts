import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PathInfo } from '../../common/contract.ts';

/*
 * Auto-update through electron-updater, off unless a feed is configured: electron-builder writes
 * `app-update.yml` into the app's resources only when electron-builder.yml has a `publish` section,
 * so its presence is the switch. An update is looked for at start and every six hours, and is
 * downloaded only while no metered path is up: the updater's requests leave on the OS's default
 * route, which Pathwise can't pin to a path, and a 100 MB update must never land on a phone bill.
 * It installs when the user quits (or at once from its notification).
 */

/** What the shell needs of electron-updater's `autoUpdater` (main/index.ts passes the real one). */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(): void;
  on(
    event: 'update-available' | 'update-not-available' | 'update-downloaded',
    listener: (info: { version?: string }) => void,
  ): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface AutoUpdateOptions {
  /** False in development (`electron-vite dev`, `electron .`): nothing to update. */
  isPackaged: boolean;
  /** Electron's `process.resourcesPath`, where electron-builder puts app-update.yml. */
  resourcesPath: string | undefined;
  /** Loads electron-updater (imported only when a feed is configured: it requires electron). */
  load: () => Promise<Updater>;
  /** The paths as the tray last saw them: a download waits while any metered one is up. */
  paths: () => readonly PathInfo[];
  /** An update downloaded: tell the user (a click installs it now). */
  notify: (version: string, installNow: () => void) => void;
  log: (what: string, error: unknown) => void;
  /** How often to look again (six hours). */
  intervalMs?: number;
  exists?: (path: string) => boolean;
}

export interface AutoUpdate {
  /** One line for the About panel: off and why, or what the updater last did. */
  status(): string;
  /** The paths changed: an update that waited for an unmetered network may download now. */
  pathsChanged(): void;
  stop(): void;
}

const SIX_HOURS = 6 * 3600_000;

/** Whether this app has an update feed: packaged, with electron-builder's app-update.yml beside it. */
export function updateFeed(
  isPackaged: boolean,
  resourcesPath: string | undefined,
  exists: (path: string) => boolean = existsSync,
): { on: true; file: string } | { on: false; why: string } {
  if (!isPackaged) return { on: false, why: 'Updates: off in a development build.' };
  // Electron always sets it for a packaged app; without it there is no feed to read.
  const file = resourcesPath ? join(resourcesPath, 'app-update.yml') : null;
  if (!file || !exists(file)) {
    return {
      on: false,
      why: 'Updates: off. No update feed is configured (electron-builder.yml has no publish section); update through your package manager or a new download.',
    };
  }
  return { on: true, file };
}

/** True when a metered path is up: an update's download waits. */
export function meteredUp(paths: readonly PathInfo[]): boolean {
  return paths.some((p) => p.up && p.metered);
}

export function startAutoUpdate(options: AutoUpdateOptions): AutoUpdate {
  const feed = updateFeed(options.isPackaged, options.resourcesPath, options.exists);
  if (!feed.on) return { status: () => feed.why, pathsChanged: () => undefined, stop: () => undefined };
  let status = 'Updates: checking…';
  let updater: Updater | null = null;
  let waiting: string | null = null;
  let downloading = false;
  const download = (version: string): void => {
    if (!updater || downloading) return;
    if (meteredUp(options.paths())) {
      waiting = version;
      status = `Updates: Pathwise ${version} is available; it downloads once no metered network is in use.`;
      return;
    }
    waiting = null;
    downloading = true;
    status = `Updates: downloading Pathwise ${version}…`;
    updater.downloadUpdate().catch((error: unknown) => {
      downloading = false;
      status = `Updates: the download of ${version} failed; it is tried again later.`;
      options.log('update download', error);
    });
  };
  const check = (): void => {
    if (!updater || downloading) return;
    updater.checkForUpdates().catch((error: unknown) => options.log('update check', error));
  };
  const timer = setInterval(check, options.intervalMs ?? SIX_HOURS);
  timer.unref();
  void options
    .load()
    .then((loaded) => {
      updater = loaded;
      loaded.autoDownload = false;
      loaded.autoInstallOnAppQuit = true;
      loaded.on('update-not-available', () => {
        status = `Updates: up to date (looked at ${new Date().toLocaleString()}).`;
      });
      loaded.on('update-available', (info) => download(info.version ?? 'new'));
      loaded.on('update-downloaded', (info) => {
        downloading = false;
        const version = info.version ?? 'new';
        status = `Updates: Pathwise ${version} is ready; it installs when you quit.`;
        options.notify(version, () => loaded.quitAndInstall());
      });
      loaded.on('error', (error) => {
        status = `Updates: could not look for updates (${error.message}).`;
        options.log('updater', error);
      });
      check();
    })
    .catch((error: unknown) => {
      status = 'Updates: off. The updater could not be loaded.';
      options.log('updater', error);
    });
  return {
    status: () => status,
    pathsChanged: () => {
      if (waiting) download(waiting);
    },
    stop: () => clearInterval(timer),
  };
}
