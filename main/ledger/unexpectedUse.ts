import { formatBytes } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate } from './calendar.ts';

/** How long other apps' bytes on a metered path add up before the count starts over. */
const WINDOW_MS = 10 * 60_000;

/** Other apps' bytes on one path in the current window. */
export interface ForeignWindow {
  bytes: number;
  since: number;
}

/** What one counters observation saw on a path besides the app's own bytes. */
export interface ForeignTraffic {
  path: string;
  metered: boolean;
  /** The path's window, kept with its counters; this check updates it. */
  window: ForeignWindow;
  /** All traffic minus the app's bytes since the last observation (may be negative). */
  bytes: number;
  /** Some unmetered path was up with an address: other apps had a free way out. */
  unmeteredUp: boolean;
  now: number;
}

/**
 * Other apps moving `threshold` bytes over a metered path within a window, while an unmetered
 * path was up, is worth a warning (PRODUCT.md §4): something is spending the user's plan behind
 * their back. Returns the alert (once a day per path, by its key) and starts the count over.
 */
export function unexpectedUseAlert(traffic: ForeignTraffic, threshold: number): AlertDraft | null {
  const { path, window, now } = traffic;
  if (now - window.since > WINDOW_MS) {
    window.bytes = 0;
    window.since = now;
  }
  if (!traffic.metered || !traffic.unmeteredUp) {
    window.bytes = 0;
    return null;
  }
  window.bytes += Math.max(0, traffic.bytes);
  if (window.bytes < threshold) return null;
  const alert: AlertDraft = {
    key: `unexpected:${path}:${localDate(now)}`,
    kind: 'unexpected-cellular',
    severity: 'warning',
    path,
    title: `Unexpected use of ${path}`,
    message: `Other apps moved ${formatBytes(window.bytes)} over metered ${path} in the last minutes while an unmetered path was up. Check which app is using it, or set ${path} to Never.`,
    at: now,
  };
  window.bytes = 0;
  return alert;
}
