import type { Settings, TransferInfo } from '../../common/contract.ts';

/** Electron's powerSaveBlocker, as the keep-awake rule uses it. */
export interface PowerSavePort {
  start(type: 'prevent-app-suspension'): number;
  stop(id: number): void;
}

function active(transfers: readonly TransferInfo[] | null): TransferInfo[] {
  return (transfers ?? []).filter((t) => t.state === 'running' || t.state === 'probing');
}

/**
 * Keeps the machine from sleeping while a download runs, if the user allowed it
 * (settings.keepAwake): one blocker, taken when the first download starts and let go when the
 * last one ends or the setting is turned off. Returns whether it is held now.
 */
export function createKeepAwake(
  port: PowerSavePort,
): (transfers: readonly TransferInfo[] | null, settings: Settings) => boolean {
  let blocker: number | null = null;
  return (transfers, settings) => {
    const wanted = settings.keepAwake === true && active(transfers).length > 0;
    if (wanted && blocker === null) blocker = port.start('prevent-app-suspension');
    else if (!wanted && blocker !== null) {
      port.stop(blocker);
      blocker = null;
    }
    return blocker !== null;
  };
}

/** What the taskbar (Windows), dock (macOS) or launcher (Unity, KDE) shows for the downloads. */
export interface TaskbarProgress {
  /** 0..1; -1 removes the bar. */
  progress: number;
  mode: 'none' | 'normal' | 'indeterminate';
}

/**
 * The running downloads' progress as one bar: bytes received over bytes to get, across those
 * whose size is known; indeterminate while none of them knows its size yet; none when idle.
 */
export function taskbarProgress(transfers: readonly TransferInfo[] | null): TaskbarProgress {
  const running = active(transfers);
  if (running.length === 0) return { progress: -1, mode: 'none' };
  const sized = running.filter((t) => t.size !== null && t.size > 0);
  if (sized.length === 0) return { progress: 2, mode: 'indeterminate' };
  const total = sized.reduce((n, t) => n + (t.size as number), 0);
  const received = sized.reduce((n, t) => n + Math.min(t.received, t.size as number), 0);
  return { progress: received / total, mode: 'normal' };
}

/** A key for what the bar shows, so the window is told only when it changes (by a tenth of a percent). */
export function progressKey(bar: TaskbarProgress): string {
  return `${bar.mode}:${bar.mode === 'normal' ? Math.round(bar.progress * 1000) : ''}`;
}
