import type { PathInfo, UsageSummary } from './contract.ts';

export type OverallStatus = 'ok' | 'cellular' | 'offline' | 'near-cap' | 'unknown';

const METERED_TYPES = new Set(['cellular', 'tether']);

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

/**
 * One word for the whole machine, for the tray icon and the dashboard alike: near a cap beats
 * everything, then offline, then "on cellular" when only metered paths carry traffic.
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
  if (usable.every((p) => p.metered || METERED_TYPES.has(p.type))) return 'cellular';
  return 'ok';
}

export const STATUS_TEXT: Record<OverallStatus, { title: string; detail: string }> = {
  ok: { title: 'All good', detail: 'An unmetered path is up.' },
  cellular: { title: 'On cellular', detail: 'Only metered paths are up: transfers count against your plan.' },
  offline: { title: 'Offline', detail: 'No usable network path. Transfers wait and resume on their own.' },
  'near-cap': { title: 'Near a data cap', detail: 'A plan is close to its cap. See Usage.' },
  unknown: { title: 'Connecting…', detail: 'Waiting for Pathwise.' },
};
