import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { buildTrayMenu, trayMenuKey, type TrayActions } from '../../main/shell/trayMenu.ts';
import { trayStatus, trayTooltip, type TrayState } from '../../main/shell/trayState.ts';
import { scenario } from '../renderer/scenario.ts';

function actions(): TrayActions & Record<string, ReturnType<typeof vi.fn>> {
  return {
    setPreference: vi.fn(),
    setOverride: vi.fn(),
    pauseAll: vi.fn(),
    resumeAll: vi.fn(),
    openDashboard: vi.fn(),
    quit: vi.fn(),
  };
}

function state(overrides: Partial<TrayState> = {}): TrayState {
  const s = scenario(Date.UTC(2026, 4, 20, 12));
  return { paths: s.paths, transfers: s.transfers, usage: s.usage, capThresholds: [0.75, 1], ...overrides };
}

const find = (menu: MenuItemConstructorOptions[], id: string) => menu.find((item) => item.id === id);
const path = (p: Partial<PathInfo> & { name: string }): PathInfo => ({
  type: 'wifi',
  addresses: ['198.18.1.2'],
  up: true,
  metered: false,
  preference: 'always',
  ...p,
});

describe('buildTrayMenu', () => {
  it('has a line per network path (not loopback) with its facts, then pause/resume, dashboard, quit', () => {
    const menu = buildTrayMenu(state(), actions());
    const labels = menu.map((item) => item.label ?? `—${item.type}`);
    expect(labels[0]).toMatch(/^Pathwise: /);
    expect(labels.filter((l) => /^(wlan0|wwan0|usb0|lo) —/.test(l))).toHaveLength(3);
    expect(find(menu, 'path:wlan0')?.label).toBe('wlan0 — Wi-Fi, up');
    expect(find(menu, 'path:wwan0')?.label).toMatch(/^wwan0 — Cellular, up, metered, \d+% of cap$/);
    expect(labels.slice(-2)).toEqual(['Open dashboard', 'Quit Pathwise']);
  });

  it('shows each path’s preference as a radio submenu that calls setPreference', () => {
    const a = actions();
    const menu = buildTrayMenu(state(), a);
    const submenu = find(menu, 'path:wwan0')?.submenu as MenuItemConstructorOptions[];
    expect(submenu.slice(0, 4).map((i) => [i.label, i.type, i.checked])).toEqual([
      ['Always', 'radio', false],
      ['Secondary', 'radio', true],
      ['Backup', 'radio', false],
      ['Never', 'radio', false],
    ]);
    (submenu[3]?.click as () => void)();
    expect(a.setPreference).toHaveBeenCalledWith('wwan0', 'never');
  });

  it('enables pause all while something runs and resume all while something is paused', () => {
    const a = actions();
    const menu = buildTrayMenu(state(), a);
    expect(find(menu, 'pause-all')).toMatchObject({ label: 'Pause all transfers (1)', enabled: true });
    expect(find(menu, 'resume-all')).toMatchObject({ label: 'Resume all transfers (1)', enabled: true });
    (find(menu, 'pause-all')?.click as () => void)();
    (find(menu, 'resume-all')?.click as () => void)();
    (find(menu, 'open')?.click as () => void)();
    (find(menu, 'quit')?.click as () => void)();
    expect(a.pauseAll).toHaveBeenCalledTimes(1);
    expect(a.resumeAll).toHaveBeenCalledTimes(1);
    expect(a.openDashboard).toHaveBeenCalledTimes(1);
    expect(a.quit).toHaveBeenCalledTimes(1);
  });

  it('disables transfer actions when the engine is not running, and says when there are no paths', () => {
    const menu = buildTrayMenu(state({ transfers: null, usage: null, paths: [] }), actions());
    expect(find(menu, 'pause-all')?.enabled).toBe(false);
    expect(find(menu, 'resume-all')?.enabled).toBe(false);
    expect(find(menu, 'no-paths')?.label).toBe('No network paths');
    expect(find(menu, 'status')?.label).toBe('Pathwise: offline');
  });

  it('changes its key only when something shown changes, not on a rate tick', () => {
    const s = state();
    const faster = { ...s, paths: s.paths.map((p) => ({ ...p, rxRate: (p.rxRate ?? 0) + 1e6 })) };
    expect(trayMenuKey(faster)).toBe(trayMenuKey(s));
    const never = {
      ...s,
      paths: s.paths.map((p) => (p.name === 'usb0' ? { ...p, preference: 'never' as const } : p)),
    };
    expect(trayMenuKey(never)).not.toBe(trayMenuKey(s));
  });
});

describe('trayStatus', () => {
  it('is ok, on cellular, offline or near cap', () => {
    const wifi = path({ name: 'wlan0' });
    const cell = path({ name: 'wwan0', type: 'cellular', metered: true, addresses: ['198.18.2.2'] });
    const base = { transfers: null, usage: null, capThresholds: [0.75, 1] };
    expect(trayStatus({ ...base, paths: [wifi, cell] })).toBe('ok');
    expect(trayStatus({ ...base, paths: [{ ...wifi, up: false }, cell] })).toBe('cellular');
    expect(trayStatus({ ...base, paths: [{ ...wifi, addresses: [] }] })).toBe('offline');
    const s = state();
    const usage = s.usage && {
      ...s.usage,
      paths: s.usage.paths.map((u) => ({ ...u, allBytes: u.capBytes ? u.capBytes * 0.8 : 0 })),
    };
    expect(trayStatus({ ...s, usage })).toBe('near-cap');
    expect(trayStatus({ ...s, usage, capThresholds: [0.9, 1] })).toBe('ok');
  });
});

describe('a data cap reached (issue 24)', () => {
  /** The scenario with wwan0 (a 10 GB cap) at `share` of it, the other capped paths far below. */
  function atShare(share: number): TrayState {
    const s = state();
    const usage = s.usage && {
      ...s.usage,
      paths: s.usage.paths.map((u) => ({
        ...u,
        allBytes: u.capBytes ? u.capBytes * (u.name === 'wwan0' ? share : 0.1) : 0,
      })),
    };
    return { ...s, usage };
  }

  it('is near the cap at 99 %, and the cap reached at 100 % and 101 %, in icon, tooltip and menu', () => {
    expect(trayStatus(atShare(0.99))).toBe('near-cap');
    expect(trayTooltip(atShare(0.99))).toMatch(/^Pathwise: a data plan is near its cap( —|$)/);
    for (const share of [1, 1.01]) {
      expect(trayStatus(atShare(share))).toBe('at-cap');
      expect(trayTooltip(atShare(share))).toMatch(/^Pathwise: wwan0 reached its data cap( —|$)/);
      const menu = buildTrayMenu(atShare(share), actions());
      expect(find(menu, 'status')?.label).toMatch(/^Pathwise: wwan0 reached its data cap( —|$)/);
      expect(find(menu, 'path:wwan0')?.label).toBe('wwan0 — Cellular, up, metered, cap reached');
    }
  });

  it('never rounds a path just below its cap up to 100 %', () => {
    const menu = buildTrayMenu(atShare(0.996), actions());
    expect(find(menu, 'path:wwan0')?.label).toBe('wwan0 — Cellular, up, metered, 99% of cap');
  });

  it('names every path at its cap, and rebuilds the menu when the cap is reached', () => {
    const s = atShare(1.2);
    const both = s.usage && {
      ...s.usage,
      paths: s.usage.paths.map((u) => (u.name === 'usb0' ? { ...u, allBytes: (u.capBytes ?? 0) * 2 } : u)),
    };
    expect(trayTooltip({ ...s, usage: both })).toMatch(
      /^Pathwise: wwan0 and usb0 reached their data caps( —|$)/,
    );
    expect(trayMenuKey(atShare(1))).not.toBe(trayMenuKey(atShare(0.999)));
  });
});

describe('buildTrayMenu: a path’s overrides', () => {
  it('sets a path’s metered and type overrides, keeping the other half, and gives them back', () => {
    const a = actions();
    const sub = (menu: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions[] =>
      (find(find(menu, 'path:wlan0')?.submenu as MenuItemConstructorOptions[], id)?.submenu ??
        []) as MenuItemConstructorOptions[];
    const click = (items: MenuItemConstructorOptions[], id: string): void =>
      (items.find((i) => i.id === id)?.click as () => void)();
    // No override: Automatic, saying what the monitor judged.
    const plain = buildTrayMenu(state(), a);
    const metered = sub(plain, 'metered:wlan0');
    expect(metered.map((i) => [i.label, i.checked])).toEqual([
      ['Automatic (now not metered)', true],
      ['Metered: counts against a data plan', false],
      ['Not metered', false],
    ]);
    expect(sub(plain, 'type:wlan0').map((i) => i.label)).toEqual([
      'Automatic (now Wi-Fi)',
      'Wi-Fi',
      'Ethernet',
      'Cellular',
      'Phone',
      'VPN',
    ]);
    click(metered, 'metered-yes:wlan0');
    expect(a.setOverride).toHaveBeenLastCalledWith('wlan0', { metered: true });
    // A phone hotspot the OS calls Wi-Fi, set metered: a type change keeps metered, and back.
    const overridden = buildTrayMenu(state({ overrides: { wlan0: { metered: true } } }), a);
    expect(sub(overridden, 'metered:wlan0').find((i) => i.checked)?.id).toBe('metered-yes:wlan0');
    click(sub(overridden, 'type:wlan0'), 'type-tether:wlan0');
    expect(a.setOverride).toHaveBeenLastCalledWith('wlan0', { metered: true, type: 'tether' });
    const both = buildTrayMenu(state({ overrides: { wlan0: { metered: true, type: 'tether' } } }), a);
    expect(sub(both, 'type:wlan0').find((i) => i.checked)?.label).toBe('Phone');
    click(sub(both, 'metered:wlan0'), 'metered-auto:wlan0');
    expect(a.setOverride).toHaveBeenLastCalledWith('wlan0', { type: 'tether' });
    // The menu is rebuilt when an override changes.
    expect(trayMenuKey(state({ overrides: { wlan0: { metered: true } } }))).not.toBe(trayMenuKey(state()));
  });
});
