import { formatBytes } from '../../common/format.ts';
import type { AlertDraft } from './AlertStore.ts';
import { localDate } from './calendar.ts';

/** How long other apps' bytes on a metered path add up before the count starts over. */
const WINDOW_MS = 10 * 60_000;

/**
 * Pathwise's payload is less than what crosses the wire: TCP/IP headers (~3.5 % at a 1500-byte
 * MTU), TLS records, ACKs and HTTP headers. 8 % covers them with room; whatever is beyond it in a
 * window is other apps'.
 */
export const WIRE_OVERHEAD = 0.08;

/** All traffic the counters showed on one path in the current window. */
export interface ForeignWindow {
  bytes: number;
  since: number;
}

/** One counters observation of a path, for the unexpected-use check. */
export interface ForeignTraffic {
  path: string;
  metered: boolean;
  /** The path's window, kept with its counters; this check updates it. */
  window: ForeignWindow;
  /** All traffic since the last observation (the OS counters). */
  bytes: number;
  /**
   * Of `bytes`, how much may be Pathwise's not reported yet: the engine reports up to a quarter
   * second late, so the counters run ahead by up to its last second's bytes.
   */
  lagBytes: number;
  /** Some unmetered physical path (not a VPN riding on another) was up with an address. */
  unmeteredUp: boolean;
  now: number;
  /** Payload bytes every Pathwise process booked on the path since `t` (the app, `pathwise get`). */
  appBytesSince: (t: number) => number;
}

/**
 * Other apps moving `threshold` bytes over a metered path within a window, while an unmetered
 * path was up, is worth a warning (PRODUCT.md §4): something is spending the user's plan behind
 * their back. Like is compared with like (issue 20 case 2): the window's counter bytes against
 * every Pathwise process's payload in it plus `WIRE_OVERHEAD`, allowing for the engine's
 * reporting lag (`lagBytes`). Returns the alert (once a
 * day per path, by its key) and starts the count over.
 */
export function unexpectedUseAlert(traffic: ForeignTraffic, threshold: number): AlertDraft | null {
  const { path, window, now } = traffic;
  if (now - window.since > WINDOW_MS || !traffic.metered || !traffic.unmeteredUp) {
    window.bytes = 0;
    window.since = now;
    if (!traffic.metered || !traffic.unmeteredUp) return null;
  }
  window.bytes += Math.max(0, traffic.bytes);
  const settled = window.bytes - Math.min(Math.max(0, traffic.bytes), traffic.lagBytes);
  if (settled < threshold) return null;
  // The app's bytes are booked per minute: from the start of the window's first minute, which
  // counts a little more of them, never less.
  const foreign = settled - traffic.appBytesSince(window.since - 1000) * (1 + WIRE_OVERHEAD);
  if (foreign < threshold) return null;
  const alert: AlertDraft = {
    key: `unexpected:${path}:${localDate(now)}`,
    kind: 'unexpected-cellular',
    severity: 'warning',
    path,
    title: `Unexpected use of ${path}`,
    message: `Other apps moved ${formatBytes(foreign)} over metered ${path} in the last minutes while an unmetered path was up. Check which app is using it, or set ${path} to Never.`,
    at: now,
  };
  window.bytes = 0;
  window.since = now;
  return alert;
}
