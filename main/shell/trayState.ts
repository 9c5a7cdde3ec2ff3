import type { PathInfo, Preference, TransferInfo, UsageSummary } from '../contract.ts';

/** What the tray icon shows: the same rule as the dashboard's status line. */
export type TrayStatus = 'ok' | 'cellular' | 'offline' | 'near-cap';

export interface TrayState {
  paths: PathInfo[];
  transfers: TransferInfo[] | null;
  usage: UsageSummary | null;
  capThresholds: number[];
}

export function usablePaths(paths: readonly PathInfo[]): PathInfo[] {
  return paths.filter(
    (p) =>
      p.up &&
      p.type !== 'loopback' &&
      p.type !== 'virtual' &&
      p.preference !== 'never' &&
      p.health?.status !== 'offline' &&
      p.addresses.length > 0,
  );
}

/** Near a cap beats everything, then offline, then "on cellular" when only metered paths are usable. */
export function trayStatus(state: TrayState): TrayStatus {
  const first = Math.min(...state.capThresholds, 1);
  const nearCap = state.usage?.paths.some(
    (p) => p.capBytes !== null && p.capBytes > 0 && p.allBytes / p.capBytes >= first,
  );
  if (nearCap) return 'near-cap';
  const usable = usablePaths(state.paths);
  if (usable.length === 0) return 'offline';
  if (usable.every((p) => p.metered || p.type === 'cellular' || p.type === 'tether')) return 'cellular';
  return 'ok';
}

export const TRAY_TOOLTIP: Record<TrayStatus, string> = {
  ok: 'Pathwise: all good',
  cellular: 'Pathwise: on cellular (metered)',
  offline: 'Pathwise: offline',
  'near-cap': 'Pathwise: a data plan is near its cap',
};

export const PREFERENCES: ReadonlyArray<{ value: Preference; label: string }> = [
  { value: 'always', label: 'Always' },
  { value: 'secondary', label: 'Secondary' },
  { value: 'backup', label: 'Backup' },
  { value: 'never', label: 'Never' },
];
