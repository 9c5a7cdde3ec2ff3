/**
 * Electron entry: a thin shell around the core service. Everything the app does lives in
 * plain Node modules (monitor, engine, ledger); this file owns windows, the tray, notifications,
 * the login item and IPC.
 */
import { app, BrowserWindow, ipcMain, Notification, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  Alert,
  InvokeChannel,
  PathInfo,
  Settings,
  TransferInfo,
  UsageSummary,
} from '../common/contract.ts';
import { createPathwise } from './core/createPathwise.ts';
import { errorCode, errorMessage } from '../common/errors.ts';
import type { PathwiseService } from './core/PathwiseService.ts';
import type { SettingsStore } from './core/SettingsStore.ts';
import { registerIpc } from './shell/ipc.ts';
import { createLoginItemSync } from './shell/loginItem.ts';
import { createAlertNotifier } from './shell/notifications.ts';
import { createRevealHandler } from './shell/reveal.ts';
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
/** Started by the login item: stay in the tray until the user opens the dashboard. */
const startHidden = process.argv.includes('--hidden');

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

/** IPC for the app's own windows only; `transfers.reveal` is answered here (the OS file manager). */
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
}

/**
 * Every core push goes to the app's windows; the tray keeps what it shows from the paths,
 * transfers, usage and settings, the login item follows the settings, and alerts notify.
 */
function forwardPushes(
  service: PathwiseService,
  { trayState, tray, syncLoginItem, notify }: PushReactions,
): void {
  service.subscribe((channel, payload) => {
    for (const contents of windows) if (!contents.isDestroyed()) contents.send(`event:${channel}`, payload);
    switch (channel) {
      case 'paths':
        trayState.paths = payload as PathInfo[];
        break;
      case 'transfers':
        trayState.transfers = payload as TransferInfo[];
        break;
      case 'usage':
        trayState.usage = payload as UsageSummary;
        break;
      case 'settings':
        trayState.capThresholds = (payload as Settings).capThresholds;
        syncLoginItem(payload as Settings);
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
    pauseAll: () => act('transfers.pauseAll'),
    resumeAll: () => act('transfers.resumeAll'),
    openDashboard: () => openDashboard(),
    quit: () => app.quit(),
  });
  tray.update(trayState);
  return tray;
}

async function main(): Promise<void> {
  hardenWebContents(app, shell, isAppUrl);
  const { service, settings, warnings } = await createPathwise({
    shell: 'electron',
    // The one data home the CLI uses too (resolveDataDir); userData only if chosen (--user-data-dir).
    electronUserData: app.getPath('userData'),
  });
  for (const warning of warnings) console.warn(`pathwise: ${warning}`);
  registerShellIpc(service, settings);
  const syncLoginItem = createLoginItemSync(app);
  syncLoginItem(settings.get());
  const notify = createNotifier(settings);
  const trayState: TrayState = {
    paths: [],
    transfers: null,
    usage: null,
    capThresholds: settings.get().capThresholds,
  };
  let tray: TrayController | undefined = undefined;
  forwardPushes(service, { trayState, tray: () => tray, syncLoginItem, notify });
  followAppEvents(service, () => tray);
  await app.whenReady();
  await service.start();
  tray = await startTray(service, trayState);
  if (!startHidden) openDashboard();
}

if (!app.requestSingleInstanceLock()) app.quit();
else
  void main().catch((error: unknown) => {
    log('could not start', error);
    app.exit(1);
  });
