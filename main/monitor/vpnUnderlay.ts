import type { PathInfo, PathType } from '../../common/contract.ts';
import type { Route } from './linuxLinks.ts';

/** Types that are no way out of the machine of their own. */
const NOT_A_WAY_OUT: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual', 'vpn']);

/**
 * A path whose bytes are nobody else's: not loopback, not a bridge or veth inside the machine,
 * not a VPN riding on another path. Only these are summed across paths and only these are an
 * alternative to a metered path.
 */
export function isPhysicalPath(path: Pick<PathInfo, 'type' | 'ridesOn'>): boolean {
  return !NOT_A_WAY_OUT.has(path.type) && path.ridesOn === undefined;
}

/**
 * Which of `carriers` (physical paths, up, with an address) a VPN's tunnel leaves through, read
 * cheaply from the routing table: a host route to the VPN's server through one path's gateway
 * (OpenVPN and NetworkManager add one), else the main table's default with the lowest metric
 * among them (WireGuard's wg-quick leaves it in place and marks its own packets around the
 * tunnel), else the OS's default interface (off Linux), else the only carrier. null: not known.
 */
export function underlayOf(
  carriers: readonly PathInfo[],
  routes: readonly Route[],
  defaultInterface: string | undefined,
): string | null {
  const names = new Set(carriers.map((p) => p.name));
  const hostRoutes = new Set(
    routes.filter((r) => r.prefix === 32 && r.gateway !== null && names.has(r.iface)).map((r) => r.iface),
  );
  if (hostRoutes.size === 1) return [...hostRoutes][0] as string;
  const defaults = routes
    .filter((r) => r.prefix === 0 && names.has(r.iface))
    .sort((a, b) => a.metric - b.metric);
  if (defaults[0]) return defaults[0].iface;
  if (defaultInterface !== undefined && names.has(defaultInterface)) return defaultInterface;
  return carriers.length === 1 ? (carriers[0] as PathInfo).name : null;
}

/**
 * Marks every VPN with the path it rides on, and gives it that path's metered flag unless the
 * user or the OS said otherwise: a VPN over cellular spends the cellular plan, so it is never
 * the unmetered alternative to it (issue 20 cases 2 and 12). `preferences` are the user's own:
 * a VPN without one follows its new metered flag.
 */
export function rideOnUnderlay(
  paths: PathInfo[],
  routes: readonly Route[],
  defaultInterface: string | undefined,
  preferences: Record<string, unknown>,
): PathInfo[] {
  const vpns = paths.filter((p) => p.type === 'vpn');
  if (vpns.length === 0) return paths;
  const carriers = paths.filter((p) => p.up && p.addresses.length > 0 && isPhysicalPath(p));
  const under = underlayOf(carriers, routes, defaultInterface);
  const carrier = carriers.find((p) => p.name === under);
  for (const vpn of vpns) {
    vpn.ridesOn = under;
    if (!carrier || vpn.meteredSource !== 'type') continue;
    vpn.metered = carrier.metered;
    if (!Object.hasOwn(preferences, vpn.name)) vpn.preference = vpn.metered ? 'backup' : 'always';
  }
  return paths;
}
