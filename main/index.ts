/**
 * Electron entry: a thin shell around the core service. Everything the app does lives in
 * plain Node modules (monitor, engine, ledger); this file owns windows, the tray, notifications,
 * the login item and IPC.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Notification,
  powerSaveBlocker,
  shell,
  type WebContents,
} from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  Alert,
  InvokeChannel,
  PathInfo,
  Settings,
  SyncJobInfo,
  TransferInfo,
  UsageSummary,
} from '../common/contract.ts';
import { resolveDataDir } from './base/dataDir.ts';
import { createPathwise, type Pathwise } from './core/createPathwise.ts';
import { attachHandoff } from './host/HandoffServer.ts';
import { errorCode, errorMessage } from '../common/errors.ts';
import type { PathwiseService } from './core/PathwiseService.ts';
import type { SettingsStore } from './core/SettingsStore.ts';
import { registerIpc } from './shell/ipc.ts';
import { appCommand, createLaunchAtLogin } from './shell/autostart.ts';
import { startAutoUpdate, type AutoUpdate, type Updater } from './shell/autoUpdate.ts';
import { createKeepAwake, progressKey, taskbarProgress } from './shell/desktop.ts';
import { startLogFile } from './shell/logFile.ts';
import { createAlertNotifier } from './shell/notifications.ts';
import { createRevealHandler } from './shell/reveal.ts';
import { safeStorageBox } from './shell/safeStorageBox.ts';
import { chromiumProxyResolver } from './shell/systemProxy.ts';
import { hardenWebContents } from './shell/security.ts';
import { TrayController } from './shell/tray.ts';
import type { TrayState } from './shell/trayState.ts';
import { dashboardWindowOptions, devServerUrl } from './shell/windowOptions.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const preloadPath = join(here, '../preload/index.cjs');
/** Development only: a packaged app always loads its own file (see devServerUrl). */
const devServer = devServerUrl(app.isPackaged)?.href;
const appOrigin = devServer ? new URL(devServer).origin : undefined;
/**
 * Started at login, on every OS: stay in the tray until the user opens the dashboard. Linux's
 * autostart entry and Windows' login item pass `--hidden`; macOS's login items pass no arguments,
 * so there the app asks whether login opened it.
 */
const startHidden =
  process.argv.includes('--hidden') ||
  (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true);
/** Windows shows notifications only for an app with an id (the installer's shortcut carries the same). */
export const APP_USER_MODEL_ID = 'dev.pathwise.app';

function isAppUrl(url: string): boolean {
  try {
    if (appOrigin) return new URL(url).origin === appOrigin;
  } catch {
    return false;
  }
  const index = pathToFileURL(rendererIndex).href;
  return url === index || url.startsWith(`${index}#`);
}

const windows = new Set<WebContents>();
let dashboard: BrowserWindow | undefined;

function openDashboard(view?: string): void {
  if (dashboard && !dashboard.isDestroyed()) {
    if (dashboard.isMinimized()) dashboard.restore();
    dashboard.show();
    dashboard.focus();
    return;
  }
  const win = new BrowserWindow(dashboardWindowOptions(preloadPath));
  dashboard = win;
  const contents = win.webContents;
  windows.add(contents);
  win.on('closed', () => {
    windows.delete(contents);
    if (dashboard === win) dashboard = undefined;
  });
  win.once('ready-to-show', () => win.show());
  const hash = view ? `/${view}` : undefined;
  if (devServer) void win.loadURL(hash ? `${devServer}#${hash}` : devServer);
  else void win.loadFile(rendererIndex, hash ? { hash } : undefined);
}

function log(what: string, error: unknown): void {
  console.error(`pathwise: ${what}: ${errorMessage(error)} [${errorCode(error)}]`);
}

/** A channel whose part may not be running: its value, or null (E_UNAVAILABLE) without noise. */
async function optional<T>(service: PathwiseService, channel: InvokeChannel): Promise<T | null> {
  try {
    return (await service.invoke(channel, [])) as T;
  } catch (error) {
    if (errorCode(error) !== 'E_UNAVAILABLE') log(channel, error);
    return null;
  }
}

/**
 * IPC for the app's own windows only; `transfers.reveal` (the OS file manager) and
 * `dialog.chooseFolder` (the OS folder picker, over the dashboard) are answered here.
 */
function registerShellIpc(service: PathwiseService, settings: SettingsStore): void {
  registerIpc(
    ipcMain,
    service,
    (sender, frameUrl) => windows.has(sender) && frameUrl !== undefined && isAppUrl(frameUrl),
    {
      'transfers.reveal': createRevealHandler({
        transfers: async () => (await service.invoke('transfers.list', [])) as TransferInfo[],
        settings: () => settings.get(),
        showItemInFolder: (path) => shell.showItemInFolder(path),
      }),
      'dialog.chooseFolder': async (defaultPath) => {
        const options = {
          title: 'Download folder',
          properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'>,
          ...(defaultPath ? { defaultPath } : {}),
        };
        const parent = dashboard && !dashboard.isDestroyed() ? dashboard : undefined;
        const chosen = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
      },
    },
  );
}

/** Alerts as native notifications; a click opens the dashboard on the alerts. */
function createNotifier(settings: SettingsStore): (alert: Alert) => boolean {
  return createAlertNotifier({
    port: {
      isSupported: () => Notification.isSupported(),
      show: (options, onClick) => {
        const notification = new Notification({ ...options, silent: options.urgency === 'low' });
        notification.on('click', onClick);
        notification.show();
      },
    },
    settings: () => settings.get(),
    onClick: () => openDashboard('alerts'),
  });
}

interface PushReactions {
  trayState: TrayState;
  /** None until the app is ready: pushes before then only update the state it will start from. */
  tray: () => TrayController | undefined;
  syncLoginItem: (settings: Settings) => void;
  notify: (alert: Alert) => boolean;
  /** The downloads or the settings changed: keep awake, taskbar progress. */
  downloads: () => void;
}

/**
 * Every core push goes to the app's windows; the tray keeps what it shows from the paths,
 * transfers, usage and settings, the login item follows the settings, and alerts notify.
 */
function forwardPushes(
  service: PathwiseService,
  { trayState, tray, syncLoginItem, notify, downloads }: PushReactions,
): void {
  service.subscribe((channel, payload) => {
    for (const contents of windows) if (!contents.isDestroyed()) contents.send(`event:${channel}`, payload);
    switch (channel) {
      case 'paths':
        trayState.paths = payload as PathInfo[];
        updates?.pathsChanged();
        break;
      case 'transfers':
        trayState.transfers = payload as TransferInfo[];
        downloads();
        break;
      case 'usage':
        trayState.usage = payload as UsageSummary;
        break;
      case 'syncs':
        trayState.syncs = payload as SyncJobInfo[];
        break;
      case 'settings':
        trayState.capThresholds = (payload as Settings).capThresholds;
        trayState.overrides = (payload as Settings).overrides;
        syncLoginItem(payload as Settings);
        downloads();
        break;
      case 'alert':
        notify(payload as Alert);
        return;
      default:
        return;
    }
    tray()?.update(trayState);
  });
}

function followAppEvents(service: PathwiseService, tray: () => TrayController | undefined): void {
  app.on('second-instance', () => openDashboard());
  app.on('activate', () => openDashboard());
  app.on('window-all-closed', () => {
    // A tray app keeps running with no window; quitting is explicit (tray menu).
    if (process.platform !== 'darwin' && process.env['PATHWISE_QUIT_ON_CLOSE'] === '1') app.quit();
  });
  app.on('before-quit', () => {
    updates?.stop();
    tray()?.destroy();
    void service.stop();
  });
}

/** Once the core runs: the tray, from the state as the core answers it now (a missing part is empty). */
async function startTray(service: PathwiseService, trayState: TrayState): Promise<TrayController> {
  trayState.paths = (await optional<PathInfo[]>(service, 'paths.list')) ?? [];
  trayState.transfers = await optional<TransferInfo[]>(service, 'transfers.list');
  trayState.usage = await optional<UsageSummary>(service, 'usage.summary');
  const act = (channel: InvokeChannel, ...args: unknown[]): void =>
    void service.invoke(channel, args).catch((error: unknown) => log(channel, error));
  const tray = new TrayController({
    setPreference: (name, preference) => act('paths.setPreference', name, preference),
    setOverride: (name, override) => act('paths.setOverride', name, override),
    pauseAll: () => act('transfers.pauseAll'),
    resumeAll: () => act('transfers.resumeAll'),
    openDashboard: () => openDashboard(),
    quit: () => app.quit(),
  });
  tray.update(trayState);
  return tray;
}

/**
 * The core, with its log in the data home (the console goes there too) and its door for command
 * lines (`pathwise get` hands its downloads to this app).
 */
/** The auto-update (main/shell/autoUpdate.ts), once the tray is up; its line is in the About panel. */
let updates: AutoUpdate | undefined;

/** An update, downloaded over an unmetered network only, installs at quit or from its notification. */
function startUpdates(trayState: TrayState): AutoUpdate {
  return startAutoUpdate({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    // electron-updater requires electron at load: imported only once a feed is configured.
    load: async () => (await import('electron-updater')).autoUpdater as unknown as Updater,
    paths: () => trayState.paths,
    notify: (version, installNow) => {
      if (!Notification.isSupported()) return;
      const notification = new Notification({
        title: `Pathwise ${version} is ready`,
        body: 'It installs when you quit Pathwise. Click to restart now.',
      });
      notification.on('click', installNow);
      notification.show();
    },
    log,
  });
}

async function startCore(): Promise<{ pathwise: Pathwise; logFile: string }> {
  const electronUserData = app.getPath('userData');
  // The one data home the CLI uses too (resolveDataDir); userData only if chosen (--user-data-dir).
  const logFile = startLogFile(resolveDataDir(undefined, process.env, process.platform, electronUserData), {
    captureConsole: true,
  }).file;
  const pathwise = await createPathwise({
    ...{ shell: 'electron', electronUserData, logFile },
    updates: () => updates?.status() ?? 'Updates: not looked for yet.',
    // Sync passwords typed into the app are sealed by the OS keyring (or a 0600 file, said so).
    secrets: safeStorageBox(),
    // The OS's proxy setting and PAC files, per URL, as Chromium reads them (after HTTPS_PROXY …).
    resolveProxy: chromiumProxyResolver(),
  });
  for (const warning of pathwise.warnings) console.warn(`pathwise: ${warning}`);
  attachHandoff(pathwise, (warning) => {
    console.warn(`pathwise: ${warning}`);
    pathwise.warnings.push(warning);
  });
  return { pathwise, logFile };
}

/** What the desktop does beside the tray: launch at login, keep awake, taskbar progress. */
function desktopReactions(
  settings: SettingsStore,
  trayState: TrayState,
): {
  syncLoginItem: (settings: Settings) => void;
  downloads: () => void;
} {
  const launchAtLogin = createLaunchAtLogin({
    loginItems: app,
    command: appCommand(process.execPath, process.env, process.defaultApp === true, app.getAppPath()),
  });
  const syncLoginItem = (value: Settings): void => {
    try {
      launchAtLogin(value);
    } catch (error) {
      log('launch at login', error);
    }
  };
  const keepAwake = createKeepAwake(powerSaveBlocker);
  let shownProgress = '';
  const downloads = (): void => {
    keepAwake(trayState.transfers, settings.get());
    const bar = taskbarProgress(trayState.transfers);
    const key = progressKey(bar);
    if (key === shownProgress || !dashboard || dashboard.isDestroyed()) return;
    shownProgress = key;
    dashboard.setProgressBar(bar.progress, { mode: bar.mode });
  };
  return { syncLoginItem, downloads };
}

/** Warnings from the start (a settings file moved aside, counters off) as one notification. */
function notifyWarnings(warnings: readonly string[]): void {
  if (warnings.length === 0 || !Notification.isSupported()) return;
  const notification = new Notification({
    title:
      warnings.length === 1
        ? 'Pathwise started with a warning'
        : `Pathwise started with ${warnings.length} warnings`,
    body: `${warnings[0]}${warnings.length > 1 ? ' (Settings → About lists them all.)' : ''}`,
  });
  notification.on('click', () => openDashboard('settings'));
  notification.show();
}

async function main(): Promise<void> {
  hardenWebContents(app, shell, isAppUrl);
  const { pathwise } = await startCore();
  const { service, settings, warnings } = pathwise;
  registerShellIpc(service, settings);
  const trayState: TrayState = {
    paths: [],
    transfers: null,
    usage: null,
    capThresholds: settings.get().capThresholds,
    overrides: settings.get().overrides,
  };
  const { syncLoginItem, downloads } = desktopReactions(settings, trayState);
  syncLoginItem(settings.get());
  const notify = createNotifier(settings);
  let tray: TrayController | undefined = undefined;
  forwardPushes(service, { trayState, tray: () => tray, syncLoginItem, notify, downloads });
  followAppEvents(service, () => tray);
  await app.whenReady();
  await service.start();
  tray = await startTray(service, trayState);
  updates = startUpdates(trayState);
  if (!startHidden) openDashboard();
  notifyWarnings(warnings);
}

// A tray app runs for days: an error no caller caught is logged (the log file takes the console)
// and the app stays up, its pending usage kept for the next flush (issue 20 case 3).
process.on('uncaughtException', (error) => log('unexpected error', error));
process.on('unhandledRejection', (reason) => log('unexpected error in a promise', reason));

if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
if (!app.requestSingleInstanceLock()) app.quit();
else
  void main().catch((error: unknown) => {
    log('could not start', error);
    app.exit(1);
  });
