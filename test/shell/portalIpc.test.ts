import { describe, expect, it, vi } from 'vitest';
import { PathwiseService } from '../../main/core/PathwiseService.ts';
import { createPortalHandler, isPortalUrl, registerIpc } from '../../main/shell/ipc.ts';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

const APP_URL = 'file:///app/out/renderer/index.html';
const PORTAL = 'http://portal.lab/login?continue=generate_204';

/** A core whose `paths.openPortal` names `url` for usb0 (as monitorWiring does from the path's verdict). */
function core(url: string): PathwiseService {
  const service = new PathwiseService({ shell: 'electron' });
  service.register({ 'paths.openPortal': async () => ({ url, opened: false }) });
  return service;
}

describe('Electron: "Open login page" (issue 23)', () => {
  it('opens the page the core names in the default browser, and says it did', async () => {
    const ipcMain = new electron.FakeIpcMain();
    const trusted = {};
    registerIpc(ipcMain as never, core(PORTAL), (sender, url) => sender === trusted && url === APP_URL);
    electron.shell.opened.length = 0;
    await expect(ipcMain.invokeFrom(trusted, APP_URL, 'paths.openPortal', 'usb0')).resolves.toEqual({
      url: PORTAL,
      opened: true,
    });
    expect(electron.shell.opened).toEqual([PORTAL]);
  });

  it('never opens a page that is not plain http(s)', async () => {
    const opened: string[] = [];
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'http://user:pw@portal.lab/']) {
      const handler = createPortalHandler(core(url), async (u) => void opened.push(u));
      await expect(handler('usb0')).rejects.toThrow(/will not open/);
    }
    expect(opened).toEqual([]);
    expect(isPortalUrl('https://portal.lab/')).toBe(true);
  });
});
