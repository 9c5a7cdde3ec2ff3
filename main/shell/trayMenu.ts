import type { MenuItemConstructorOptions } from 'electron';
import type { PathInfo, PathOverride, PathType, Preference } from '../../common/contract.ts';
import {
  pathStateLabel,
  PREFERENCES,
  syncLine,
  trayStatus,
  trayTooltip,
  type TrayState,
} from './trayState.ts';

export interface TrayActions {
  setPreference(path: string, preference: Preference): void;
  /** The path's whole override (type and metered; both absent: the monitor's own judgement). */
  setOverride(path: string, override: PathOverride): void;
  pauseAll(): void;
  resumeAll(): void;
  openDashboard(): void;
  quit(): void;
}

const TYPE_LABEL: Record<string, string> = {
  wifi: 'Wi-Fi',
  ethernet: 'Ethernet',
  cellular: 'Cellular',
  tether: 'Phone',
  vpn: 'VPN',
  unknown: 'Other',
};

/**
 * The tray menu as a plain template, built from the current state alone (pure, so it is unit
 * tested without Electron): the status line, a line per network path with its preference as a
 * radio submenu, pause/resume all, the dashboard and quit.
 */
export function buildTrayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [{ id: 'status', label: trayTooltip(state), enabled: false }];
  items.push({ type: 'separator' });
  const network = state.paths.filter((p) => p.type !== 'loopback' && p.type !== 'virtual');
  if (network.length === 0) {
    items.push({ id: 'no-paths', label: 'No network paths', enabled: false });
  }
  for (const path of network) {
    const usage = state.usage?.paths.find((u) => u.name === path.name);
    const facts = [
      TYPE_LABEL[path.type] ?? path.type,
      pathStateLabel(path),
      path.metered ? 'metered' : null,
      usage?.capBytes ? capFact(usage.allBytes, usage.capBytes) : null,
    ].filter(Boolean);
    items.push({
      id: `path:${path.name}`,
      label: `${path.name} — ${facts.join(', ')}`,
      submenu: [
        ...PREFERENCES.map(({ value, label }) => ({
          id: `pref:${path.name}:${value}`,
          label,
          type: 'radio' as const,
          checked: path.preference === value,
          click: () => actions.setPreference(path.name, value),
        })),
        { type: 'separator' },
        ...overrideMenus(path, state.overrides?.[path.name] ?? {}, actions),
      ],
    });
  }
  items.push({ type: 'separator' });
  const transfers = state.transfers;
  const active = transfers?.filter((t) => ['queued', 'probing', 'running'].includes(t.state)).length ?? 0;
  const paused = transfers?.filter((t) => t.state === 'paused').length ?? 0;
  items.push({
    id: 'pause-all',
    label: active > 0 ? `Pause all transfers (${active})` : 'Pause all transfers',
    enabled: transfers !== null && active > 0,
    click: () => actions.pauseAll(),
  });
  items.push({
    id: 'resume-all',
    label: paused > 0 ? `Resume all transfers (${paused})` : 'Resume all transfers',
    enabled: transfers !== null && paused > 0,
    click: () => actions.resumeAll(),
  });
  const syncing = syncLine(state.syncs);
  if (syncing) items.push({ id: 'syncs', label: syncing, click: () => actions.openDashboard() });
  items.push({ type: 'separator' });
  items.push({ id: 'open', label: 'Open dashboard', click: () => actions.openDashboard() });
  items.push({ id: 'quit', label: 'Quit Pathwise', click: () => actions.quit() });
  return items;
}

/** The types a user may say a path is (loopback and virtual are the monitor's own). */
const OVERRIDE_TYPES: PathType[] = ['wifi', 'ethernet', 'cellular', 'tether', 'vpn'];

/**
 * "Metered" and "Type" submenus, as the dashboard's path settings: Automatic (the OS's or the
 * type rule's judgement) or what the user says. Each click sends the path's whole override, the
 * other half kept, since an override replaces the one before it.
 */
function overrideMenus(
  path: PathInfo,
  override: PathOverride,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const set = (change: Partial<PathOverride>): void => {
    const next: PathOverride = { ...override, ...change };
    for (const key of ['type', 'metered'] as const) if (next[key] === undefined) delete next[key];
    actions.setOverride(path.name, next);
  };
  const radio = (
    id: string,
    label: string,
    checked: boolean,
    click: () => void,
  ): MenuItemConstructorOptions => ({
    id: `${id}:${path.name}`,
    label,
    type: 'radio',
    checked,
    click,
  });
  const automatic = (now: string): string => `Automatic (now ${now})`;
  return [
    {
      id: `metered:${path.name}`,
      label: 'Metered',
      submenu: [
        radio(
          'metered-auto',
          override.metered === undefined ? automatic(path.metered ? 'metered' : 'not metered') : 'Automatic',
          override.metered === undefined,
          () => set({ metered: undefined }),
        ),
        radio('metered-yes', 'Metered: counts against a data plan', override.metered === true, () =>
          set({ metered: true }),
        ),
        radio('metered-no', 'Not metered', override.metered === false, () => set({ metered: false })),
      ],
    },
    {
      id: `type:${path.name}`,
      label: 'Type',
      submenu: [
        radio(
          'type-auto',
          override.type === undefined ? automatic(TYPE_LABEL[path.type] ?? path.type) : 'Automatic',
          override.type === undefined,
          () => set({ type: undefined }),
        ),
        ...OVERRIDE_TYPES.map((type) =>
          radio(`type-${type}`, TYPE_LABEL[type] ?? type, override.type === type, () => set({ type })),
        ),
      ],
    },
  ];
}

/** "80% of cap" below it (99.6% is not "100%"), "cap reached" at or over it, as the status line says. */
function capFact(used: number, cap: number): string {
  return used >= cap ? 'cap reached' : `${Math.min(99, Math.round((used / cap) * 100))}% of cap`;
}

/** A key that changes only when the menu a user sees would change (not on every rate tick). */
export function trayMenuKey(state: TrayState): string {
  return JSON.stringify({
    s: trayStatus(state),
    p: state.paths.map((p) => [p.name, p.type, p.up, p.metered, p.preference, p.health?.status]),
    o: state.overrides,
    t: state.transfers?.map((t) => t.state),
    u: state.usage?.paths.map((u) => (u.capBytes ? Math.round((u.allBytes / u.capBytes) * 100) : null)),
    y: syncLine(state.syncs),
  });
}
