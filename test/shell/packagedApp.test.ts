import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { devServerUrl } from '../../main/shell/windowOptions.ts';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

/*
 * A packaged app started with ELECTRON_RENDERER_URL pointing at some page: it must load its own
 * file and trust only that for IPC (the variable is for development; packaged, it would hand the
 * whole contract to any page). The app starts once for the file (a module loads once).
 */
const PLANTED = 'http://127.0.0.1:5173/';
let win: electron.BrowserWindow;

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  process.env['PATHWISE_PROBE_URL'] = 'http://127.0.0.1:9/generate_204';
  process.env['ELECTRON_RENDERER_URL'] = PLANTED;
  Object.assign(electron.app, { isPackaged: true });
  electron.app.paths['userData'] = await mkdtemp(join(tmpdir(), 'pw-packaged-'));
  await import('../../main/index.ts');
  win = await until(() => electron.BrowserWindow.instances[0], 'the dashboard window');
  await until(() => electron.Tray.instances[0]?.menu, 'the tray menu');
});
afterAll(() => {
  electron.app.emit('before-quit');
  delete process.env['ELECTRON_RENDERER_URL'];
});

describe('a packaged app ignores ELECTRON_RENDERER_URL', () => {
  it('loads its own file, not the URL the variable names', () => {
    expect(win.loaded.url).toBeUndefined();
    expect(win.loaded.file).toMatch(/renderer[/\\]index\.html$/);
  });

  it('answers IPC from its own file only: a page at that URL is refused', async () => {
    const own = pathToFileURL(win.loaded.file ?? '').href;
    await expect(electron.ipcMain.invokeFrom(win.webContents, own, 'app.info')).resolves.toMatchObject({
      shell: 'electron',
    });
    await expect(
      electron.ipcMain.invokeFrom(win.webContents, `${PLANTED}#/settings`, 'settings.get'),
    ).rejects.toThrow(/E_UNTRUSTED_SENDER/);
  });

  it('does not let its window navigate to that URL', () => {
    const away = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', away, PLANTED);
    expect(away.preventDefault).toHaveBeenCalled();
  });
});

describe('devServerUrl: the dev server only outside a packaged app', () => {
  const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };

  it('is used while developing', () => {
    expect(devServerUrl(false, env)?.href).toBe('http://localhost:5173/');
  });

  it('is ignored when packaged, or when it is not an http(s) URL', () => {
    expect(devServerUrl(true, env)).toBeNull();
    expect(devServerUrl(false, { ELECTRON_RENDERER_URL: 'file:///tmp/evil.html' })).toBeNull();
    expect(devServerUrl(false, { ELECTRON_RENDERER_URL: 'not a url' })).toBeNull();
    expect(devServerUrl(false, {})).toBeNull();
  });
});
