import type {
  PathInfo,
  PathOverride,
  Preference,
  SyncJobInfo,
  TransferInfo,
  UsageSummary,
} from '../../common/contract.ts';
import {
  overallStatus,
  PATH_STATE_TEXT,
  pathStateOf,
  pathsAtCap,
  pathTroubles,
  type OverallStatus,
} from '../../common/status.ts';

/** The icons there are (icons.ts): one per status word, 'unknown' shown as offline. */
export type TrayStatus = Exclude<OverallStatus, 'unknown'>;

export interface TrayState {
  paths: PathInfo[];
  transfers: TransferInfo[] | null;
  usage: UsageSummary | null;
  capThresholds: number[];
  /** The folder syncs (the `syncs` push); absent or null until known. */
  syncs?: SyncJobInfo[] | null;
  /** The user's type and metered overrides per path (settings), for the tray's submenus. */
  overrides?: Record<string, PathOverride>;
}

/** The menu's line for the syncs running now; null when none is. */
export function syncLine(syncs: SyncJobInfo[] | null | undefined): string | null {
  const running = (syncs ?? []).filter((s) => s.state === 'running');
  if (running.length === 0) return null;
  const [first] = running;
  if (running.length > 1) return `Syncing ${running.map((s) => s.name).join(', ')}`;
  const p = first?.progress;
  const files = p && p.filesTotal > 0 ? ` (${p.filesDone} of ${p.filesTotal} files)` : '';
  return `Syncing ${first?.name}${files}`;
}

/** The dashboard's status rule (`common/status.ts`) as the tray's word, never 'unknown'. */
export function trayWord(state: TrayState): Exclude<OverallStatus, 'unknown'> {
  const status = overallStatus(state.paths, state.usage ?? undefined, state.capThresholds);
  return status === 'unknown' ? 'offline' : status;
}

/** What the tray icon shows: the dashboard's status rule, never 'unknown' (weak has its own icon). */
export function trayStatus(state: TrayState): TrayStatus {
  return trayWord(state);
}

export const TRAY_TOOLTIP: Record<Exclude<OverallStatus, 'unknown'>, string> = {
  ok: 'Pathwise: all good',
  degraded: 'Pathwise: weak connection',
  cellular: 'Pathwise: on cellular (metered)',
  offline: 'Pathwise: offline',
  'near-cap': 'Pathwise: a data plan is near its cap',
  'at-cap': 'Pathwise: a data plan reached its cap',
};

/**
 * The tray's tooltip and status line: the word for the machine, then each path whose verdict says
 * something is wrong ("wlan0 weak", "usb0 sign-in required", "eth0 checking").
 */
export function trayTooltip(state: TrayState): string {
  const troubles = pathTroubles(state.paths).map((t) => `${t.name} ${PATH_STATE_TEXT[t.state]}`);
  const word = trayWord(state);
  const base = word === 'at-cap' ? atCapTooltip(state) : TRAY_TOOLTIP[word];
  return troubles.length > 0 ? `${base} — ${troubles.join(', ')}` : base;
}

/** "Pathwise: wwan0 reached its data cap", naming each path at or over its cap. */
function atCapTooltip(state: TrayState): string {
  const names = pathsAtCap(state.usage ?? undefined).map((p) => p.name);
  if (names.length === 0) return TRAY_TOOLTIP['at-cap'];
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Pathwise: ${list} reached ${names.length === 1 ? 'its data cap' : 'their data caps'}`;
}

/** One path's state for the tray menu: down, or its verdict's word (up, checking, weak, …). */
export function pathStateLabel(path: PathInfo): string {
  return path.up ? PATH_STATE_TEXT[pathStateOf(path)] : 'down';
}

export const PREFERENCES: ReadonlyArray<{ value: Preference; label: string }> = [
  { value: 'always', label: 'Always' },
  { value: 'secondary', label: 'Secondary' },
  { value: 'backup', label: 'Backup' },
  { value: 'never', label: 'Never' },
];
