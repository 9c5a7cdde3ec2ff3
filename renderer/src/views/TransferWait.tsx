import type { PathInfo, PathUsage, TransferInfo, TransferWait as Wait } from '../../../common/contract.ts';
import { formatBytesShort, formatDate } from '../../../common/format.ts';
import { Icon } from '../components/Icon.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { namePaths } from '../lib/pathChoice.ts';
import { useNavigate } from '../lib/useHashRoute.ts';
import { isNetworkPath } from './OverviewView.tsx';

/** "wwan0 reached its 50 MB cap", "wlan0 and wwan0 reached their caps". */
function capWords(names: readonly string[], usage: readonly PathUsage[]): string {
  if (names.length !== 1) return `${names.join(' and ')} reached their caps`;
  const name = names[0] as string;
  const cap = usage.find((u) => u.name === name)?.capBytes;
  return cap ? `${name} reached its ${formatBytesShort(cap)} cap` : `${name} reached its cap`;
}

/** When a cap frees up by itself: the day the path's cycle resets, if it has a plan. */
function resetWords(names: readonly string[], usage: readonly PathUsage[], planned: boolean): string {
  const reset = usage.find((u) => u.name === names[0] && u.capBytes !== null)?.cycle.end;
  if (!planned) return 'It goes on by itself if the cap is raised.';
  return reset
    ? `It goes on by itself when the cap is raised or the cycle resets on ${formatDate(reset)}.`
    : 'It goes on by itself when the cap is raised or the cycle resets.';
}

/** Paths that could carry the download now: up with an address, healthy, not at a cap, not waited on. */
function alternatives(wait: Wait, paths: readonly PathInfo[], usage: readonly PathUsage[]): PathInfo[] {
  const atCap = new Set(
    usage.filter((u) => u.capBytes !== null && u.allBytes >= u.capBytes).map((u) => u.name),
  );
  return paths.filter(
    (p) =>
      isNetworkPath(p) &&
      p.up &&
      p.addresses.length > 0 &&
      p.health?.status !== 'offline' &&
      p.health?.status !== 'captive' &&
      !wait.paths.includes(p.name) &&
      !atCap.has(p.name),
  );
}

/**
 * Why a running download moves nothing, and the ways on: "Waiting: wwan0 reached its 50 MB cap",
 * then "Use Wi-Fi for this download" (moves it, from what it has), "Raise the cap" (the plan
 * editor) and "Pause". Without a usable path at all it says so and that it goes on by itself.
 */
export function TransferWait({
  transfer,
  wait,
  onPause,
  onUsePaths,
}: {
  transfer: TransferInfo;
  wait: Wait;
  onPause: () => void;
  onUsePaths: (paths: string[]) => void;
}) {
  const { paths, usage, settings } = useDashboard();
  const go = useNavigate();
  const pathList = (valueOf(paths.data) ?? []).filter(isNetworkPath);
  const usageList = valueOf(usage.data)?.paths ?? [];
  const plans = valueOf(settings.data)?.plans ?? {};
  const planned = wait.paths.find((name) => plans[name]?.capBytes != null);
  const others = alternatives(wait, pathList, usageList);
  const title =
    wait.reason === 'cap'
      ? `Waiting: ${capWords(wait.paths, usageList)}`
      : 'Waiting: no path it may use can reach the server';
  const detail =
    wait.reason === 'cap'
      ? resetWords(wait.paths, usageList, planned !== undefined)
      : 'It goes on by itself when one of its paths is back.';
  return (
    <div className="transfer-wait" role="status" aria-label={`${title}.`}>
      <p className="transfer-wait-title">
        <Icon name={wait.reason === 'cap' ? 'cap' : 'down'} size={15} /> {title}
      </p>
      <p className="transfer-wait-detail small">{detail}</p>
      <div className="transfer-wait-actions">
        {others.slice(0, 2).map((p, i) => (
          <button
            key={p.name}
            type="button"
            className={i === 0 ? 'btn btn-sm btn-primary' : 'btn btn-sm'}
            onClick={() => onUsePaths([p.name])}
          >
            Use {namePaths([p], pathList)} for this download
          </button>
        ))}
        {planned && (
          <button type="button" className="btn btn-sm" onClick={() => go('settings', { plan: planned })}>
            Raise the cap
          </button>
        )}
        <button type="button" className="btn btn-sm" onClick={onPause}>
          Pause
        </button>
      </div>
      {transfer.allowedPaths === null && others.length === 0 && wait.reason === 'cap' && (
        <p className="small muted">No other path is up to take it over.</p>
      )}
    </div>
  );
}
