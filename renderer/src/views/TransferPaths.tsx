import type { TransferInfo } from '../../../common/contract.ts';
import { formatBytes, formatPercent, formatRate } from '../../../common/format.ts';
import { PathDot } from '../components/Bars.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { unusedReason } from '../lib/pathChoice.ts';
import type { PathColors } from '../lib/pathColors.ts';

const PATH_STATE_TEXT: Partial<Record<string, string>> = {
  stalled: 'stalled',
  down: 'down',
  capped: 'cap reached',
  excluded: 'not used',
  unverified: 'unverified',
};

type Share = TransferInfo['paths'][string] & { name: string };

/**
 * What each path carried of a download. While it runs: bytes, the rate of a busy path, why a path
 * stopped (down, cap reached…) and why one it may use carries nothing ("standing by: Backup, only
 * if Wi-Fi drops"). Once it ended: what happened, each path's bytes and share, or "not used"; never
 * the path's state now (a path capped or set to Never since says nothing about this download).
 */
export function PathShares({
  transfer: t,
  name,
  live,
  colors,
}: {
  transfer: TransferInfo;
  name: string;
  live: boolean;
  colors: PathColors;
}) {
  const { paths } = useDashboard();
  const pathList = valueOf(paths.data) ?? [];
  const ended = t.state === 'done' || t.state === 'failed' || t.state === 'cancelled';
  const shares: Share[] = Object.entries(t.paths)
    .map(([pathName, p]) => ({ name: pathName, ...p }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const total = shares.reduce((sum, p) => sum + p.bytes, 0);
  // A share says something only when more than one path carried part of it.
  const split = shares.filter((p) => p.bytes > 0).length > 1;
  return (
    <ul className="transfer-paths" aria-label={`${name} by path`}>
      {shares.map((p) => (
        <li key={p.name}>
          <PathDot color={colors(p.name)} />
          <span className="transfer-path-name">{p.name}</span>
          {ended ? (
            <Outcome share={p} total={split ? total : 0} />
          ) : (
            <Now share={p} live={live} why={unusedReason(p.name, t, pathList)} />
          )}
        </li>
      ))}
    </ul>
  );
}

/** A path's part in a download that ended: its bytes and share, or that it carried none. */
function Outcome({ share, total }: { share: Share; total: number }) {
  if (share.bytes === 0) return <span className="muted">not used</span>;
  return (
    <>
      <span>{formatBytes(share.bytes)}</span>
      {total > 0 && <span className="muted">{formatPercent(share.bytes / total)}</span>}
    </>
  );
}

/** A path's part in a download under way: bytes, rate while busy, and what keeps it out. */
function Now({ share: p, live, why }: { share: Share; live: boolean; why: string | null }) {
  const stateText = p.state !== 'active' && p.state !== 'idle' ? PATH_STATE_TEXT[p.state] : undefined;
  return (
    <>
      {!why && <span>{formatBytes(p.bytes)}</span>}
      {live && p.state === 'active' && <span className="muted">{formatRate(p.rate)}</span>}
      {stateText && !why && <span className={`path-state path-state-${p.state}`}>{stateText}</span>}
      {why && <span className={`path-why path-state-${p.state}`}>not used: {why}</span>}
    </>
  );
}
