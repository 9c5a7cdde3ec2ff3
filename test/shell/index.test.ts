import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { invokeChannels } from '../../common/contract.ts';
import { SyncJobs } from '../../main/sync/SyncJobs.ts';
import * as electron from '../mocks/electron.ts';
import { makeJob } from '../sync/davLab.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/*
 * Loads the real main/index.ts under the fake electron module and checks what it really does:
 * the window options it passes, the IPC it registers, who it answers, the tray it builds. The app
 * starts once for the whole file (a module loads once); the describes below share it, in order.
 */
let win: electron.BrowserWindow;
let appUrl: string;

let configHome: string;
let appHandlers: {
  uncaught: NodeJS.UncaughtExceptionListener[];
  rejection: NodeJS.UnhandledRejectionListener[];
};

beforeAll(async () => {
  process.env['PATHWISE_PROBE_URL'] = 'http://127.0.0.1:9/generate_204';
  // The XDG autostart entry goes here, not in the real ~/.config.
  configHome = await mkdtemp(join(tmpdir(), 'pw-shell-config-'));
  process.env['XDG_CONFIG_HOME'] = configHome;
  electron.app.paths['userData'] = await mkdtemp(join(tmpdir(), 'pw-shell-'));
  const uncaught = new Set(process.listeners('uncaughtException'));
  const rejection = new Set(process.listeners('unhandledRejection'));
  await import('../../main/index.ts');
  appHandlers = {
    uncaught: process.listeners('uncaughtException').filter((l) => !uncaught.has(l)),
    rejection: process.listeners('unhandledRejection').filter((l) => !rejection.has(l)),
  };
  // The app's handlers stay out of the test runner's own reporting of errors.
  for (const l of appHandlers.uncaught) process.off('uncaughtException', l);
  for (const l of appHandlers.rejection) process.off('unhandledRejection', l);
  win = await until(() => electron.BrowserWindow.instances[0], 'the dashboard window');
  await until(() => electron.Tray.instances[0]?.menu, 'the tray menu');
  appUrl = pathToFileURL(win.loaded.file ?? '').href;
});
afterAll(() => {
  electron.app.emit('before-quit');
});

describe('main/index.ts (the Electron shell): the dashboard window', () => {
  it('takes the single-instance lock and opens one dashboard', () => {
    expect(electron.BrowserWindow.instances).toHaveLength(1);
    expect(win.loaded.file).toMatch(/renderer[/\\]index\.html$/);
  });

  it('creates the window isolated, sandboxed, without Node, with the bundled preload', () => {
    const prefs = win.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toEqual({
      preload: expect.stringMatching(/preload[/\\]index\.cjs$/),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
  });

  it('hardens the window’s web contents: no new windows, no navigation away', () => {
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    const away = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inApp = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', inApp, `${appUrl}#/alerts`);
    expect(inApp.preventDefault).not.toHaveBeenCalled();
  });
});

describe('main/index.ts (the Electron shell): IPC', () => {
  it('registers a handler for every contract channel', () => {
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...invokeChannels].sort());
  });

  it('answers its own window and refuses any other sender or a navigated frame', async () => {
    await expect(electron.ipcMain.invokeFrom(win.webContents, appUrl, 'app.info')).resolves.toMatchObject({
      shell: 'electron',
    });
    await expect(
      electron.ipcMain.invokeFrom(new electron.FakeWebContents(), appUrl, 'app.info'),
    ).rejects.toThrow(/E_UNTRUSTED_SENDER/);
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, 'https://evil.example/', 'paths.list'),
    ).rejects.toThrow(/E_UNTRUSTED_SENDER/);
  });

  it('validates every message against the contract', async () => {
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, appUrl, 'paths.setPreference', 'wlan0', 'sometimes'),
    ).rejects.toThrow(/E_BAD_REQUEST/);
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, appUrl, 'transfers.reveal', { id: '../../etc' }),
    ).rejects.toThrow(/E_BAD_REQUEST/);
  });

  it('forwards core pushes to the window and applies launch at login (an XDG autostart entry on Linux)', async () => {
    const entry = join(configHome, 'autostart', 'pathwise.desktop');
    expect(existsSync(entry)).toBe(false);
    await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'settings.update', { launchAtLogin: true });
    await until(
      () => win.webContents.sent.find((m) => m.channel === 'event:settings') ?? undefined,
      'the settings push',
    );
    expect(readFileSync(entry, 'utf8')).toMatch(/^Exec=\S+ --hidden$/m);
    // Electron's login items do nothing on Linux: they are not used there.
    expect(electron.app.loginItemCalls).toEqual([]);
    await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'settings.update', { launchAtLogin: false });
    expect(existsSync(entry)).toBe(false);
  });

  it('answers the folder dialog with the OS picker, null when cancelled', async () => {
    electron.dialog.answer = { canceled: false, filePaths: ['/home/me/Downloads'] };
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, appUrl, 'dialog.chooseFolder', '/home/me'),
    ).resolves.toBe('/home/me/Downloads');
    expect(electron.dialog.asked.at(-1)).toMatchObject({
      defaultPath: '/home/me',
      properties: expect.arrayContaining(['openDirectory']),
    });
    electron.dialog.answer = { canceled: true, filePaths: [] };
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, appUrl, 'dialog.chooseFolder', ''),
    ).resolves.toBeNull();
  });

  it('says in the About panel where its log is, and logs there', async () => {
    const about = (await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'app.about')) as {
      logFile: string;
      licences: Array<{ name: string; license: string }>;
      updates: string;
    };
    expect(about.logFile).toBe(join(electron.app.paths['userData'] as string, 'logs', 'main.log'));
    // A development build has nothing to update (a packaged one: main/shell/autoUpdate.ts's tests).
    expect(about.updates).toBe('Updates: off in a development build.');
    expect(about.licences).toEqual(
      expect.arrayContaining([{ name: 'zod', version: expect.any(String), license: 'MIT' }]),
    );
    console.warn('pathwise: a line for the log');
    expect(readFileSync(about.logFile, 'utf8')).toContain('a line for the log');
  });

  it('answers transfers.reveal in the shell (and says so calmly while the engine is missing)', async () => {
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, appUrl, 'transfers.reveal', 't1'),
    ).rejects.toThrow(/E_UNAVAILABLE|E_NOT_FOUND/);
  });
});

describe('main/index.ts (the Electron shell): sync passwords', () => {
  it('seals a sync password typed into the app with safeStorage; the jobs file never holds it', async () => {
    const info = (await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'app.info')) as {
      dataDir: string;
    };
    await new SyncJobs(info.dataDir).add(
      makeJob(info.dataDir, 'https://cloud.example/dav/', { name: 'shell' }),
    );
    const job = await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'syncs.edit', 'shell', {
      password: 'typed-in-the-app',
    });
    expect(job).toMatchObject({ password: { from: 'keyring', note: null } });
    const jobs = readFileSync(join(info.dataDir, 'syncs', 'jobs.json'), 'utf8');
    expect(jobs).toContain('"sealed"');
    expect(jobs).not.toContain('typed-in-the-app');
  });
});

describe('main/index.ts (the Electron shell): the tray', () => {
  it('puts a tray icon up with a menu built from the state', () => {
    const tray = electron.Tray.instances[0];
    const labels = tray?.menu?.template.map((item) => item['label']).filter(Boolean);
    expect(labels).toEqual(expect.arrayContaining(['Open dashboard', 'Quit Pathwise']));
    expect(tray?.image.representations.map((r) => r.scaleFactor)).toEqual([1, 2]);
    expect(tray?.tooltip).toMatch(/^Pathwise: /);
  });

  it('brings the same window back for a second launch, and quits from the tray', () => {
    electron.app.emit('second-instance');
    expect(electron.BrowserWindow.instances).toHaveLength(1);
    const quit = electron.Tray.instances[0]?.menu?.template.find((item) => item['label'] === 'Quit Pathwise');
    (quit?.['click'] as () => void)();
    expect(electron.app.quitCalls).toBe(1);
  });
});

describe('main/index.ts (the Electron shell): errors nobody caught', () => {
  it('logs an error nobody caught and stays up (issue 20 case 3)', async () => {
    const about = (await electron.ipcMain.invokeFrom(win.webContents, appUrl, 'app.about')) as {
      logFile: string;
    };
    expect(appHandlers.uncaught).toHaveLength(1);
    expect(appHandlers.rejection).toHaveLength(1);
    appHandlers.uncaught[0]?.(new Error('a timer threw'), 'uncaughtException');
    appHandlers.rejection[0]?.(new Error('a promise failed'), Promise.resolve());
    const log = readFileSync(about.logFile, 'utf8');
    expect(log).toContain('unexpected error: a timer threw');
    expect(log).toContain('unexpected error in a promise: a promise failed');
    expect(electron.BrowserWindow.instances[0]?.isDestroyed()).toBe(false);
  });
});
