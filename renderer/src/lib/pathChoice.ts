import type { PathInfo, PathType, Preference, TransferInfo } from '../../../common/contract.ts';

/**
 * Path choices in words, where they are made and where they show (issue 24): what a preference
 * means for this path among the others ("Backup: only if Wi-Fi drops"), and why a path a download
 * may use carries none of it.
 */

const TYPE_WORD: Partial<Record<PathType, string>> = {
  wifi: 'Wi-Fi',
  ethernet: 'Ethernet',
  cellular: 'cellular',
  tether: 'the phone tether',
  vpn: 'the VPN',
};

export const PREFERENCE_LABEL: Record<Preference, string> = {
  always: 'Always',
  secondary: 'Secondary',
  backup: 'Backup',
  never: 'Never',
};

/** Network paths Pathwise could use besides `self`: up, not loopback or virtual. */
function otherNetworkPaths(self: string, paths: readonly PathInfo[]): PathInfo[] {
  return paths.filter((p) => p.name !== self && p.up && p.type !== 'loopback' && p.type !== 'virtual');
}

/**
 * Paths named as a person would: "Wi-Fi" when it is the only one of its kind, else its name
 * ("wlan0 and wlan1"); joined with "and" (or "or").
 */
export function namePaths(list: readonly PathInfo[], all: readonly PathInfo[], joiner = 'and'): string {
  const words = list.map((p) => {
    const word = TYPE_WORD[p.type];
    const alone = all.filter((q) => q.type === p.type).length === 1;
    return word && alone ? word : p.name;
  });
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} ${joiner} ${words.at(-1)}`;
}

/** What a preference does for this path now, among the others: "only if Wi-Fi drops". */
export function preferenceMeaning(
  path: PathInfo,
  preference: Preference,
  paths: readonly PathInfo[],
): string {
  const others = otherNetworkPaths(path.name, paths);
  const main = others.filter((p) => p.preference === 'always' || p.preference === 'secondary');
  const metered = path.metered ? ', and counts against its plan' : '';
  switch (preference) {
    case 'always':
      return `every download uses it${metered}`;
    case 'secondary':
      return main.some((p) => p.preference === 'always')
        ? `joins ${namePaths(
            main.filter((p) => p.preference === 'always'),
            paths,
          )} in aggregate downloads${metered}`
        : `used with the other paths in aggregate downloads${metered}`;
    case 'backup':
      return main.length > 0
        ? `only if ${namePaths(main, paths, 'and')} ${main.length === 1 ? 'drops' : 'drop'}`
        : 'used now: no Always or Secondary path is up';
    case 'never':
      return 'Pathwise sends nothing over it';
  }
}

/** "wwan0 · Backup: only if Wi-Fi drops". */
export function preferenceText(path: PathInfo, preference: Preference, paths: readonly PathInfo[]): string {
  return `${path.name} · ${PREFERENCE_LABEL[preference]}: ${preferenceMeaning(path, preference, paths)}`;
}

/**
 * Why a path a download may use carried none of it, or null when it is simply busy or has carried
 * some: a path's own state first (down, at its cap, Never), then the policy (a Backup path stands
 * by while another carries the download; handover and interactive use one path at a time).
 */
export function unusedReason(
  name: string,
  transfer: TransferInfo,
  paths: readonly PathInfo[],
): string | null {
  const share = transfer.paths[name];
  if (!share || share.bytes > 0 || share.state === 'active') return null;
  const info = paths.find((p) => p.name === name);
  if (share.state === 'down' || (info && !info.up)) return 'down';
  if (share.state === 'capped') return 'at its data cap';
  if (share.state === 'unverified') return 'its bytes left through another interface';
  if (share.state === 'excluded' || info?.preference === 'never') return 'set to Never';
  if (transfer.mode !== 'aggregate') return `${transfer.mode} mode uses one path at a time`;
  if (transfer.allowedPaths === null && info?.preference === 'backup') {
    return `Backup, ${preferenceMeaning(info, 'backup', paths)}`;
  }
  return null;
}
