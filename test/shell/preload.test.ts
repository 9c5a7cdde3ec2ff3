import { describe, expect, it, vi } from 'vitest';
import type { PathwiseApi } from '../../common/contract.ts';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

describe('preload', () => {
  it('exposes only window.pathwise with invoke and on — no raw ipcRenderer', async () => {
    await import('../../preload/index.ts');
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['pathwise']);
    const api = electron.contextBridge.exposed.get('pathwise') as PathwiseApi;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('refuses channels outside the contract before anything reaches the main process', async () => {
    const api = electron.contextBridge.exposed.get('pathwise') as PathwiseApi & {
      invoke: (c: string, ...a: unknown[]) => Promise<unknown>;
      on: (c: string, l: () => void) => () => void;
    };
    await expect(api.invoke('shell.exec', 'rm -rf /')).rejects.toThrow(/Unknown request/);
    expect(() => api.on('ipc:raw', () => undefined)).toThrow(/Unknown event/);
    expect(electron.ipcRenderer.invoked).toEqual([]);
  });

  it('passes contract calls through and turns wire errors back into coded errors', async () => {
    const api = electron.contextBridge.exposed.get('pathwise') as PathwiseApi;
    electron.ipcRenderer.reply = async () => {
      throw new Error(
        `Error invoking remote method 'paths.list': Error: {"code":"E_UNAVAILABLE","message":"Not here."}`,
      );
    };
    await expect(api.invoke('paths.list')).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: 'Not here.',
    });
    const seen: unknown[] = [];
    const off = api.on('paths', (p) => seen.push(p));
    electron.ipcRenderer.emit('event:paths', {}, [{ name: 'wlan0' }]);
    off();
    electron.ipcRenderer.emit('event:paths', {}, []);
    expect(seen).toEqual([[{ name: 'wlan0' }]]);
  });
});
