import type { PathInfo, PathState, UsageSummary } from './contract.ts';

export type OverallStatus = 'ok' | 'degraded' | 'cellular' | 'offline' | 'near-cap' | 'unknown';

const METERED_TYPES = new Set(['cellular', 'tether']);

/** Paths that can carry a download now: up, addressed, allowed, reaching the internet (no portal). */
export function usablePaths(paths: readonly PathInfo[]): PathInfo[] {
  return paths.filter(
    (p) =>
      p.up &&
      p.type !== 'loopback' &&
      p.type !== 'virtual' &&
      p.preference !== 'never' &&
      p.health?.status !== 'offline' &&
      p.health?.status !== 'captive' &&
      p.addresses.length > 0,
  );
}

/** Nothing against the path: not degraded, not suspect (offline and portal paths aren't usable at all). */
function steady(path: PathInfo): boolean {
  const status = path.health?.status;
  return status !== 'degraded' && status !== 'suspect';
}

const metered = (p: PathInfo): boolean => p.metered || METERED_TYPES.has(p.type);

/**
 * One word for the whole machine, for the tray icon and the dashboard alike: near a cap beats
 * everything, then offline, then "on cellular" when only metered paths carry traffic, then
 * "weak" when every unmetered path is degraded or suspect.
 */
export function overallStatus(
  paths: readonly PathInfo[] | undefined,
  usage: UsageSummary | undefined,
  thresholds: readonly number[] = [0.75, 1],
): OverallStatus {
  if (!paths) return 'unknown';
  const first = Math.min(...thresholds, 1);
  const nearCap = usage?.paths.some(
    (p) => p.capBytes !== null && p.capBytes > 0 && p.allBytes / p.capBytes >= first,
  );
  if (nearCap) return 'near-cap';
  const usable = usablePaths(paths);
  if (usable.length === 0) return 'offline';
  const unmetered = usable.filter((p) => !metered(p));
  if (unmetered.length === 0) return 'cellular';
  if (!unmetered.some(steady)) return 'degraded';
  return 'ok';
}

export const STATUS_TEXT: Record<OverallStatus, { title: string; detail: string }> = {
  ok: { title: 'All good', detail: 'An unmetered path is up.' },
  degraded: {
    title: 'Weak connection',
    detail: 'Every unmetered path is slow or not answering. Transfers carry on as they can.',
  },
  cellular: { title: 'On cellular', detail: 'Only metered paths are up: transfers count against your plan.' },
  offline: { title: 'Offline', detail: 'No usable network path. Transfers wait and resume on their own.' },
  'near-cap': { title: 'Near a data cap', detail: 'A plan is close to its cap. See Usage.' },
  unknown: { title: 'Connecting…', detail: 'Waiting for Pathwise.' },
};

/** A path's health in the words the tray, the cards and `pathwise watch` use. */
export const PATH_STATE_TEXT: Record<PathState, string> = {
  up: 'up',
  suspect: 'checking',
  degraded: 'weak',
  portal: 'sign-in required',
  offline: 'no internet',
  unknown: 'up',
};

/** The state word of a path that is up (`pathEvents.ts` has the same mapping for events). */
export function pathStateOf(path: PathInfo): PathState {
  const status = path.health?.status ?? 'good';
  if (status === 'good') return 'up';
  return status === 'captive' ? 'portal' : status;
}

/** Up paths whose verdict says something is wrong (suspect, degraded, portal, offline), with why. */
export function pathTroubles(
  paths: readonly PathInfo[],
): Array<{ name: string; state: PathState; reason: string }> {
  return paths
    .filter((p) => p.up && p.type !== 'loopback' && p.type !== 'virtual' && p.preference !== 'never')
    .map((p) => ({ name: p.name, state: pathStateOf(p), reason: p.health?.detail ?? '' }))
    .filter((t) => t.state !== 'up' && t.state !== 'unknown');
}
