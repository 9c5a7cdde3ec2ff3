import { describe, expect, it, vi } from 'vitest';
import { PathwiseService } from '../../main/core/PathwiseService.ts';
import { invokeChannels } from '../../common/contract.ts';
import { registerIpc } from '../../main/shell/ipc.ts';
import { hardenWebContents, isSafeExternalUrl } from '../../main/shell/security.ts';
import { dashboardWindowOptions } from '../../main/shell/windowOptions.ts';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

const APP_URL = 'file:///app/out/renderer/index.html';

describe('dashboard window', () => {
  it('is isolated, sandboxed and has no Node', () => {
    const prefs = dashboardWindowOptions('/app/out/preload/index.cjs').webPreferences ?? {};
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('IPC', () => {
  const service = new PathwiseService({ shell: 'electron' });
  service.register({ 'app.info': async () => ({ version: '1.0.0', shell: 'electron', dataDir: '/tmp' }) });
  const trusted = {};
  const ipcMain = new electron.FakeIpcMain();
  registerIpc(ipcMain as never, service, (sender, url) => sender === trusted && url === APP_URL);

  it('registers exactly the contract channels', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...invokeChannels].sort());
  });

  it('answers the app’s own window', async () => {
    await expect(ipcMain.invokeFrom(trusted, APP_URL, 'app.info')).resolves.toMatchObject({
      shell: 'electron',
    });
  });

  it('refuses a foreign sender or a navigated frame', async () => {
    await expect(ipcMain.invokeFrom({}, APP_URL, 'app.info')).rejects.toThrow(/E_UNTRUSTED_SENDER/);
    await expect(ipcMain.invokeFrom(trusted, 'https://evil.example/', 'app.info')).rejects.toThrow(
      /untrusted sender/,
    );
  });

  it('refuses arguments outside the contract', async () => {
    await expect(ipcMain.invokeFrom(trusted, APP_URL, 'paths.list', { evil: true })).rejects.toThrow(
      /E_BAD_REQUEST/,
    );
  });
});

describe('web contents hardening', () => {
  const contents = new electron.FakeWebContents();
  hardenWebContents(electron.app as never, electron.shell as never, (url) => url === APP_URL);
  electron.app.emit('web-contents-created', {}, contents);

  it('denies new windows and opens only safe https links outside', () => {
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/help' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electron.shell.opened).toEqual(['https://example.com/help']);
  });

  it('blocks navigation away from the app', () => {
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const home = { preventDefault: vi.fn() };
    contents.emit('will-navigate', home, APP_URL);
    expect(home.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses every permission request', () => {
    const callback = vi.fn();
    contents.permissionHandler?.(contents, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
  });

  it.each([
    ['https://example.com/', true],
    ['http://example.com/', false],
    ['javascript:alert(1)', false],
    ['https://user:pw@example.com/', false],
    ['not a url', false],
  ])('openExternal accepts %s: %s', (url, ok) => {
    expect(isSafeExternalUrl(url)).toBe(ok);
  });
});
