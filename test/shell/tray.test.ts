import { describe, expect, it, vi } from 'vitest';
import type { PathHealth, PathInfo } from '../../common/contract.ts';
import { trayIconPng } from '../../main/shell/icons.ts';
import { TrayController } from '../../main/shell/tray.ts';
import type { TrayActions } from '../../main/shell/trayMenu.ts';
import type { TrayState } from '../../main/shell/trayState.ts';
import * as electron from '../mocks/electron.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

const actions: TrayActions = {
  setPreference: () => undefined,
  setOverride: () => undefined,
  pauseAll: () => undefined,
  resumeAll: () => undefined,
  openDashboard: () => undefined,
  quit: () => undefined,
};

const health = (status: PathHealth['status'], detail?: string): PathHealth => ({
  status,
  rttMs: 30,
  checkedAt: 1,
  ...(detail ? { detail } : {}),
});

function path(name: string, over: Partial<PathInfo> = {}): PathInfo {
  const cellular = name.startsWith('wwan');
  return {
    name,
    type: cellular ? 'cellular' : 'wifi',
    addresses: ['198.18.1.2'],
    up: true,
    metered: cellular,
    preference: cellular ? 'backup' : 'always',
    health: health('good'),
    ...over,
  };
}

const state = (paths: PathInfo[]): TrayState => ({
  paths,
  transfers: null,
  usage: null,
  capThresholds: [0.75, 1],
});

/** The PNGs the fake tray was last given, at 1x and 2x. */
function shown(tray: electron.Tray | undefined): Buffer[] {
  return (tray?.image.representations ?? []).map((r) => r.buffer);
}

describe('the tray icon (TrayController on the fake electron)', () => {
  it('shows the weak icon while every unmetered path is degraded, and the ok icon once it recovers', () => {
    const controller = new TrayController(actions, 'linux');
    const tray = electron.Tray.instances.at(-1);
    const weak = [path('wlan0', { health: health('degraded', 'Slow: 1.0 Mbit/s.') }), path('wwan0')];

    controller.update(state(weak));
    expect(shown(tray)).toEqual([trayIconPng('degraded', 16, false), trayIconPng('degraded', 32, false)]);
    expect(shown(tray)[1]?.equals(trayIconPng('ok', 32, false))).toBe(false);
    expect(tray?.tooltip).toBe('Pathwise: weak connection — wlan0 weak');

    controller.update(state([path('wlan0'), path('wwan0')]));
    expect(shown(tray)).toEqual([trayIconPng('ok', 16, false), trayIconPng('ok', 32, false)]);
    expect(tray?.tooltip).toBe('Pathwise: all good');
    controller.destroy();
  });

  it('draws the weak icon as a template image on macOS, so the menu bar tints it', () => {
    const controller = new TrayController(actions, 'darwin');
    const tray = electron.Tray.instances.at(-1);
    controller.update(state([path('wlan0', { health: health('suspect', 'No data for 1.1 s.') })]));
    expect(tray?.image.isTemplateImage()).toBe(true);
    expect(shown(tray)).toEqual([trayIconPng('degraded', 16, true), trayIconPng('degraded', 32, true)]);
    controller.destroy();
  });
});
