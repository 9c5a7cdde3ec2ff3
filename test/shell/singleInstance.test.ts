import { describe, expect, it, vi } from 'vitest';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

describe('a second copy of the app', () => {
  it('quits at once when another instance holds the lock, opening nothing', async () => {
    electron.app.singleInstance = false;
    await import('../../main/index.ts');
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.BrowserWindow.instances).toHaveLength(0);
    expect(electron.Tray.instances).toHaveLength(0);
  });
});
