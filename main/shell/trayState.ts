import type { PathInfo, Preference, TransferInfo, UsageSummary } from '../../common/contract.ts';
import { overallStatus, type OverallStatus } from '../../common/status.ts';

export type TrayStatus = Exclude<OverallStatus, 'unknown'>;

export interface TrayState {
  paths: PathInfo[];
  transfers: TransferInfo[] | null;
  usage: UsageSummary | null;
  capThresholds: number[];
}

/** What the tray icon shows: the dashboard's status rule (`common/status.ts`), never 'unknown'. */
export function trayStatus(state: TrayState): TrayStatus {
  const status = overallStatus(state.paths, state.usage ?? undefined, state.capThresholds);
  return status === 'unknown' ? 'offline' : status;
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
