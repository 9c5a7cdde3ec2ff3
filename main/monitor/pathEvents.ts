import type { HealthStatus, PathEvent, PathInfo, PathState } from '../../common/contract.ts';

/** A health status as `pathwise watch`, the tray and the cards name it. */
export function pathState(status: HealthStatus): PathState {
  switch (status) {
    case 'good':
      return 'up';
    case 'captive':
      return 'portal';
    default:
      return status;
  }
}

const REASONS: Record<PathState, string> = {
  up: 'Probes reach the internet over this path.',
  suspect: 'The path stopped answering; a probe is checking.',
  degraded: 'The path is up but weak.',
  portal: 'A captive portal answered instead of the internet.',
  offline: 'No answer over this path.',
  unknown: 'Not probed yet.',
};

const sameAddresses = (a: string[], b: string[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * What changed between two snapshots, as the events PRODUCT.md §1 names. Removals come first,
 * then additions, then per path: down/up, address change, health change.
 */
export function diffPaths(previous: PathInfo[], next: PathInfo[], at: Date = new Date()): PathEvent[] {
  const when = at.toISOString();
  const before = new Map(previous.map((p) => [p.name, p]));
  const after = new Map(next.map((p) => [p.name, p]));
  const events: PathEvent[] = [];
  for (const [name, path] of before) {
    if (!after.has(name)) events.push({ type: 'path-removed', name, at: when, path });
  }
  for (const [name, path] of after) {
    const old = before.get(name);
    if (!old) {
      events.push({ type: 'path-added', name, at: when, path });
      continue;
    }
    if (old.up !== path.up) events.push({ type: path.up ? 'path-up' : 'path-down', name, at: when, path });
    if (!sameAddresses(old.addresses, path.addresses)) {
      events.push({ type: 'address-changed', name, at: when, addresses: path.addresses, path });
    }
    const oldStatus = old.health?.status ?? 'unknown';
    const newStatus = path.health?.status ?? 'unknown';
    if (oldStatus !== newStatus && path.health) {
      const state = pathState(newStatus);
      const reason = path.health.detail ?? REASONS[state];
      events.push({ type: 'health-changed', name, at: when, health: path.health, state, reason, path });
    }
  }
  return events;
}
