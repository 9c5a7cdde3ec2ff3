import { isIP } from 'node:net';
import type { HealthStatus, PathInfo, Preference } from '../../common/contract.ts';

/** A network path as a transfer sees it: what to bind to and whether the policy may use it. */
export interface EnginePath {
  name: string;
  /** Source address sockets bind to; null when the path has no usable address. */
  address: string | null;
  /**
   * The path's source addresses, one per family at most (IPv4 first): a server's IPv6 addresses
   * are reached from the IPv6 one, Happy Eyeballs between them. `[address]` when absent.
   */
  addresses?: readonly string[];
  up: boolean;
  preference: Preference;
  /** Order among paths of the same preference (lower first): the order of --paths, or the monitor's. */
  rank: number;
  health: HealthStatus;
  rttMs: number | null;
  /** false when the path's bytes were seen leaving through another interface (PathBinder). */
  verified?: boolean | null;
}

/** Prefers IPv4 (reachable from most servers); IPv6 only when a path has nothing else. */
export function bindAddress(addresses: readonly string[]): string | null {
  return (
    addresses.find((a) => isIP(a) === 4) ??
    addresses.find((a) => isIP(a) === 6 && !a.toLowerCase().startsWith('fe80:')) ??
    null
  );
}

/** The path's IPv4 and its (global, not link-local) IPv6 source address, those it has. */
export function sourceAddresses(addresses: readonly string[]): string[] {
  const v4 = addresses.find((a) => isIP(a) === 4);
  const v6 = addresses.find((a) => isIP(a) === 6 && !a.toLowerCase().startsWith('fe80:'));
  return [v4, v6].filter((a): a is string => a !== undefined);
}

/** Paths that make no sense for downloads unless asked for by name. */
const NEVER_BY_DEFAULT = new Set(['loopback', 'virtual']);

/**
 * The transfer's view of the monitor's paths. With `only` (the user's --paths, in order) exactly
 * those paths are used: the first is the primary and the rest secondary, whatever the stored
 * preferences say, because naming them is the user's explicit choice. Without it, the monitor's
 * preferences decide and loopback/virtual interfaces are left out.
 */
export function enginePathsFrom(paths: readonly PathInfo[], only?: readonly string[]): EnginePath[] {
  if (only) {
    return only.map((name, rank) => {
      const info = paths.find((p) => p.name === name);
      return {
        name,
        address: info ? bindAddress(info.addresses) : null,
        addresses: info ? sourceAddresses(info.addresses) : [],
        up: info?.up ?? false,
        preference: rank === 0 ? 'always' : 'secondary',
        rank,
        health: info?.health?.status ?? 'unknown',
        rttMs: info?.health?.rttMs ?? null,
        verified: info?.binding?.verified ?? null,
      };
    });
  }
  return paths
    .filter((p) => !NEVER_BY_DEFAULT.has(p.type))
    .map((p, rank) => ({
      name: p.name,
      address: bindAddress(p.addresses),
      addresses: sourceAddresses(p.addresses),
      up: p.up,
      preference: p.preference,
      rank,
      health: p.health?.status ?? 'unknown',
      rttMs: p.health?.rttMs ?? null,
      verified: p.binding?.verified ?? null,
    }));
}
