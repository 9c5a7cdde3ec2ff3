/**
 * Electron entry: a thin shell around the core service. Everything the app does lives in
 * plain Node modules (monitor, engine, ledger); this file only owns windows and IPC.
 */
import { app, BrowserWindow, ipcMain, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPathwise } from './core/createPathwise.ts';
import { registerIpc } from './shell/ipc.ts';
import { hardenWebContents } from './shell/security.ts';
import { dashboardWindowOptions } from './shell/windowOptions.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '../renderer/index.html');
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const appOrigin = devServerUrl ? new URL(devServerUrl).origin : undefined;

function isAppUrl(url: string): boolean {
  if (appOrigin) return new URL(url).origin === appOrigin;
  return url === pathToFileURL(rendererIndex).href || url.startsWith(`${pathToFileURL(rendererIndex).href}#`);
}

const windows = new Set<WebContents>();
let dashboard: BrowserWindow | undefined;

function openDashboard(): void {
  if (dashboard && !dashboard.isDestroyed()) {
    dashboard.show();
    dashboard.focus();
    return;
  }
  const win = new BrowserWindow(dashboardWindowOptions(join(here, '../preload/index.cjs')));
  dashboard = win;
  const contents = win.webContents;
  windows.add(contents);
  win.on('closed', () => windows.delete(contents));
  win.once('ready-to-show', () => win.show());
  if (devServerUrl) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererIndex);
}

async function main(): Promise<void> {
  hardenWebContents(app, shell, isAppUrl);
  const { service } = await createPathwise({ shell: 'electron', dataDir: app.getPath('userData') });
  registerIpc(
    ipcMain,
    service,
    (sender, frameUrl) => windows.has(sender) && frameUrl !== undefined && isAppUrl(frameUrl),
  );
  service.subscribe((channel, payload) => {
    for (const contents of windows) if (!contents.isDestroyed()) contents.send(`event:${channel}`, payload);
  });
  app.on('second-instance', openDashboard);
  void app.whenReady().then(async () => {
    await service.start();
    openDashboard();
  });
  app.on('window-all-closed', () => {
    // A tray app keeps running with no window; quitting is explicit (tray menu).
    if (process.platform !== 'darwin' && process.env['PATHWISE_QUIT_ON_CLOSE'] === '1') app.quit();
  });
  app.on('before-quit', () => void service.stop());
}

if (!app.requestSingleInstanceLock()) app.quit();
else void main();
