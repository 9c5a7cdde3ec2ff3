import type { MenuItemConstructorOptions } from 'electron';
import type { Preference } from '../../common/contract.ts';
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
      submenu: PREFERENCES.map(({ value, label }) => ({
        id: `pref:${path.name}:${value}`,
        label,
        type: 'radio' as const,
        checked: path.preference === value,
        click: () => actions.setPreference(path.name, value),
      })),
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

/** "80% of cap" below it (99.6% is not "100%"), "cap reached" at or over it, as the status line says. */
function capFact(used: number, cap: number): string {
  return used >= cap ? 'cap reached' : `${Math.min(99, Math.round((used / cap) * 100))}% of cap`;
}

/** A key that changes only when the menu a user sees would change (not on every rate tick). */
export function trayMenuKey(state: TrayState): string {
  return JSON.stringify({
    s: trayStatus(state),
    p: state.paths.map((p) => [p.name, p.type, p.up, p.metered, p.preference, p.health?.status]),
    t: state.transfers?.map((t) => t.state),
    u: state.usage?.paths.map((u) => (u.capBytes ? Math.round((u.allBytes / u.capBytes) * 100) : null)),
    y: syncLine(state.syncs),
  });
}
