import type { PathInfo, PathState, PathUsage, Plan, UsageSummary } from './contract.ts';
import { formatBytesShort, formatDate } from './format.ts';

export type OverallStatus = 'ok' | 'degraded' | 'cellular' | 'offline' | 'near-cap' | 'at-cap' | 'unknown';

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

/** Paths at or over their cap this cycle (a cap of 0 is none), in the order the summary lists them. */
export function pathsAtCap(usage: UsageSummary | undefined): PathUsage[] {
  return (usage?.paths ?? []).filter(
    (p) => p.capBytes !== null && p.capBytes > 0 && p.allBytes >= p.capBytes,
  );
}

/**
 * One word for the whole machine, for the tray icon and the dashboard alike: a cap reached beats
 * everything, then near a cap, then offline, then "on cellular" when only metered paths carry
 * traffic, then "weak" when every unmetered path is degraded or suspect.
 */
export function overallStatus(
  paths: readonly PathInfo[] | undefined,
  usage: UsageSummary | undefined,
  thresholds: readonly number[] = [0.75, 1],
): OverallStatus {
  if (!paths) return 'unknown';
  if (pathsAtCap(usage).length > 0) return 'at-cap';
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
  'at-cap': { title: 'Data cap reached', detail: 'A plan has reached its cap. See Usage.' },
  unknown: { title: 'Connecting…', detail: 'Waiting for Pathwise.' },
};

/** What Pathwise does with a path at its cap, by its plan's rule: "Pathwise no longer uses it". */
export function atCapConsequence(atCap: Plan['atCap'] | undefined): string {
  if (atCap === 'stop') return 'Pathwise no longer uses it';
  if (atCap === 'rate-limit') return 'Pathwise slows its own use of it';
  return 'use beyond it may cost extra';
}

/**
 * The at-cap status naming the path, where the caller knows the plans: "wwan0 is at its 50 MB
 * cap: Pathwise no longer uses it until Jan 1." Null when no path is at its cap.
 */
export function capReachedText(
  usage: UsageSummary | undefined,
  plans: Readonly<Record<string, Plan>> | undefined,
): { title: string; detail: string } | null {
  const [over] = pathsAtCap(usage);
  if (!over) return null;
  const plan = plans?.[over.name];
  const until =
    plan?.cycle.kind === 'rolling30'
      ? 'as days leave its 30-day window'
      : `until ${formatDate(over.cycle.end)}`;
  return {
    title: STATUS_TEXT['at-cap'].title,
    detail: `${over.name} is at its ${formatBytesShort(over.capBytes as number)} cap: ${atCapConsequence(plan?.atCap)} ${until}.`,
  };
}

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
