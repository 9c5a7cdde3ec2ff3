import type { HealthStatus, Preference, TransferMode } from '../../common/contract.ts';

/** What the policy needs to know about a path at this moment. */
export interface PolicyPath {
  name: string;
  preference: Preference;
  rank: number;
  /** Up, has an address, not failed, not over its cap, not offline or behind a captive portal. */
  usable: boolean;
  health: HealthStatus;
  rttMs: number | null;
}

const TIER: Record<Preference, number> = { always: 0, secondary: 1, backup: 2, never: 3 };
const HEALTH_ORDER: Record<HealthStatus, number> = {
  good: 0,
  unknown: 1,
  degraded: 2,
  suspect: 3,
  captive: 4,
  offline: 4,
};

/**
 * Handed new requests ahead of a weaker path in handover and interactive modes: the monitor's
 * verdict says nothing against it (a `degraded` or `suspect` path steps aside while a steady one of
 * its preference pool is usable, and takes the requests back once it is steady again).
 */
export function steady(path: Pick<PolicyPath, 'health'>): boolean {
  return path.health === 'good' || path.health === 'unknown';
}

function better(a: PolicyPath, b: PolicyPath): number {
  return (
    TIER[a.preference] - TIER[b.preference] ||
    HEALTH_ORDER[a.health] - HEALTH_ORDER[b.health] ||
    a.rank - b.rank
  );
}

function lowestRtt(a: PolicyPath, b: PolicyPath): number {
  return (a.rttMs ?? Number.POSITIVE_INFINITY) - (b.rttMs ?? Number.POSITIVE_INFINITY) || better(a, b);
}

/**
 * Which paths may carry payload now (PRODUCT.md §2):
 * - aggregate: every usable `always` and `secondary` path at once, degraded ones too (they add
 *   what they can); `backup` only when none of those is usable;
 * - handover: one path, the best usable one of the highest tier; it stays until it fails or a
 *   path of a strictly better tier is usable again (switch back), so equal paths don't flap;
 * - interactive: one path, the lowest-RTT usable one, as sticky as handover.
 * In handover and interactive modes a degraded or suspect path hands new requests to a steady one
 * of the same pool (`always` + `secondary`, or `backup` when that is all there is: a weak primary
 * never calls in a backup path) and takes them back once steady, as the switch-back rule says.
 * `never` paths carry nothing.
 */
export function selectPaths(
  mode: TransferMode,
  paths: readonly PolicyPath[],
  current: string | null,
): string[] {
  const usable = paths.filter((p) => p.usable && p.preference !== 'never');
  const main = usable.filter((p) => p.preference === 'always' || p.preference === 'secondary');
  const pool = main.length > 0 ? main : usable.filter((p) => p.preference === 'backup');
  if (mode === 'aggregate') return pool.map((p) => p.name);
  const steadyPool = pool.filter(steady);
  const field = steadyPool.length > 0 ? steadyPool : pool;
  const ordered = [...field].sort(mode === 'handover' ? better : lowestRtt);
  const best = ordered[0];
  if (!best) return [];
  const stay = field.find((p) => p.name === current);
  if (stay && TIER[stay.preference] <= TIER[best.preference]) return [stay.name];
  return [best.name];
}
