import type { PathInfo, PathType } from '../../../common/contract.ts';

/**
 * One colour per path, the same in every card, chart and progress bar. The hue follows the type
 * (Wi-Fi blue, cellular amber, Ethernet green, tether violet) so a glance at any chart says which
 * kind of link carried the bytes; a second path of the same type gets the next shade.
 */
const BY_TYPE: Partial<Record<PathType, string[]>> = {
  wifi: ['#3b82f6', '#0ea5e9', '#6366f1'],
  cellular: ['#f59e0b', '#f97316', '#eab308'],
  ethernet: ['#10b981', '#22c55e', '#14b8a6'],
  tether: ['#a855f7', '#d946ef', '#8b5cf6'],
  vpn: ['#14b8a6', '#06b6d4'],
};
const OTHER = ['#64748b', '#ec4899', '#84cc16', '#ef4444', '#0891b2'];

export type PathColors = (name: string) => string;

export function pathColors(paths: readonly Pick<PathInfo, 'name' | 'type'>[]): PathColors {
  const assigned = new Map<string, string>();
  const used = new Map<string, number>();
  const sorted = [...paths].sort((a, b) => a.name.localeCompare(b.name));
  for (const path of sorted) {
    const palette = BY_TYPE[path.type] ?? OTHER;
    const n = used.get(path.type) ?? 0;
    used.set(path.type, n + 1);
    assigned.set(path.name, palette[n % palette.length] as string);
  }
  return (name) => {
    const known = assigned.get(name);
    if (known) return known;
    // A path seen only in history (since removed): a stable colour from its name.
    let hash = 0;
    for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return OTHER[hash % OTHER.length] as string;
  };
}
