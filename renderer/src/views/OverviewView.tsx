import type { PathInfo, Preference, UsageSummary } from '../../../common/contract.ts';
import { Stat } from '../components/Stat.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { formatBytes, formatMoney, formatRate } from '../../../common/format.ts';
import { latestRates } from '../lib/liveSeries.ts';
import { LiveThroughput } from './LiveThroughput.tsx';
import { PathCard } from './PathCard.tsx';

type Rates = ReturnType<typeof latestRates>;

export function isNetworkPath(path: PathInfo): boolean {
  return path.type !== 'loopback' && path.type !== 'virtual';
}

/**
 * A network path whose bytes are nobody else's. A VPN's bytes cross the path it rides on too
 * (encrypted), so totals leave it out: each byte is counted once (issue 20 case 12).
 */
export function isPhysicalPath(path: PathInfo): boolean {
  return isNetworkPath(path) && path.type !== 'vpn' && path.ridesOn === undefined;
}

/** This cycle's bytes across paths, each byte once: the ledger's total, else the physical paths' sum. */
export function cycleTotal(summary: UsageSummary): number {
  return (
    summary.totalBytes ??
    summary.paths.reduce((sum, p) => sum + (p.ridesOn === undefined ? p.allBytes : 0), 0)
  );
}

export function OverviewView() {
  const { paths, throughput } = useDashboard();
  const pathList = valueOf(paths.data);
  const rates = latestRates(throughput);
  const network = (pathList ?? []).filter(isNetworkPath);
  const others = (pathList ?? []).filter((p) => !isNetworkPath(p));
  const up = network.filter((p) => p.up).length;
  return (
    <>
      <ViewHeader
        title="Overview"
        subtitle={
          pathList
            ? `${network.length} network ${network.length === 1 ? 'path' : 'paths'}, ${up} up`
            : 'Your network paths, live.'
        }
      />
      <OverviewStats network={network} rates={rates} />
      <Section
        title="Network paths"
        description="Choose how Pathwise may use each path. Colours match every chart."
      >
        <NetworkPaths network={network} rates={rates} />
        {others.length > 0 && <OtherInterfaces others={others} />}
      </Section>
      <LiveThroughput names={network.map((p) => p.name)} />
    </>
  );
}

/** The strip of headline figures: traffic now, Pathwise's own transfers, this cycle's bytes and cost. */
function OverviewStats({ network, rates }: { network: PathInfo[]; rates: Rates }) {
  const { usage, transfers } = useDashboard();
  const summary = valueOf(usage.data);
  const totalDown = network
    .filter(isPhysicalPath)
    .reduce((sum, p) => sum + (rates[p.name]?.rxRate ?? p.rxRate ?? 0), 0);
  const transferList = valueOf(transfers.data) ?? [];
  const active = transferList.filter((t) => t.state === 'running' || t.state === 'probing');
  // A running download that moves nothing (at a cap, no path) is waiting, not running.
  const running = active.filter((t) => !t.waiting);
  const waiting = active.length - running.length;
  const appRate = running.reduce((sum, t) => sum + t.rate, 0);
  const cycleBytes = summary && cycleTotal(summary);
  const vpnListed = summary?.paths.some((p) => p.ridesOn !== undefined) ?? false;
  const currencies = new Set(summary?.paths.map((p) => p.currency).filter(Boolean));
  const cost = summary?.paths.reduce((sum, p) => sum + p.cost, 0);
  const engineReady = transfers.data.state === 'ready';
  return (
    <div className="stat-strip">
      <Stat label="Download now" value={formatRate(totalDown)} hint="all traffic on this machine" />
      <Stat
        label="Pathwise transfers"
        value={running.length > 0 ? formatRate(appRate) : engineReady ? (waiting ? 'Waiting' : 'Idle') : '—'}
        hint={transfersHint(engineReady, running.length, waiting)}
      />
      <Stat
        label="This billing cycle"
        value={cycleBytes !== undefined ? formatBytes(cycleBytes) : '—'}
        hint={
          summary
            ? vpnListed
              ? 'across all paths; a VPN’s bytes count in the path it rides on'
              : 'across all paths'
            : 'usage not available'
        }
      />
      <Stat
        label="Cost so far"
        value={
          cost !== undefined && currencies.size <= 1 ? formatMoney(cost, [...currencies][0] ?? null) : '—'
        }
        hint={summary ? 'from your plans' : 'usage not available'}
      />
    </div>
  );
}

/** "2 running · 1 waiting", "nothing running", or that the engine is not there. */
function transfersHint(ready: boolean, running: number, waiting: number): string {
  if (!ready) return 'not available';
  const parts = [running > 0 ? `${running} running` : '', waiting > 0 ? `${waiting} waiting` : ''];
  return parts.filter(Boolean).join(' · ') || 'nothing running';
}

/** A card per network path, where the user chooses how Pathwise may use it. */
function NetworkPaths({ network, rates }: { network: PathInfo[]; rates: Rates }) {
  const { api, paths, usage, settings, colors } = useDashboard();
  const summary = valueOf(usage.data);
  const warnAt = Math.min(...(valueOf(settings.data)?.capThresholds ?? [0.75]), 1);
  const setPreference = async (name: string, preference: Preference): Promise<void> => {
    paths.set(await api.invoke('paths.setPreference', name, preference));
  };
  return (
    <LoadableView data={paths.data} what="network paths" onRetry={paths.reload}>
      {() =>
        network.length === 0 ? (
          <EmptyState icon="wifi" title="No network paths found">
            Connect Wi-Fi or Ethernet, or plug in a phone or cellular modem; it appears here within a second.
          </EmptyState>
        ) : (
          <ul className="path-grid" aria-label="Network paths">
            {network.map((path) => (
              <PathCard
                key={path.name}
                path={path}
                color={colors(path.name)}
                usage={summary?.paths.find((u) => u.name === path.name)}
                rates={rates[path.name]}
                warnAt={warnAt}
                onPreference={setPreference}
              />
            ))}
          </ul>
        )
      }
    </LoadableView>
  );
}

/** Loopback and virtual interfaces: listed so nothing seems missing, folded away since transfers never use them. */
function OtherInterfaces({ others }: { others: PathInfo[] }) {
  return (
    <details className="other-interfaces">
      <summary>
        {others.length} other {others.length === 1 ? 'interface' : 'interfaces'} (loopback, virtual; not used
        for transfers)
      </summary>
      <ul aria-label="Other interfaces">
        {others.map((p) => (
          <li key={p.name} aria-label={p.name}>
            <span className="mono">{p.name}</span>
            <span className="muted">{p.addresses.join(' · ') || 'no address'}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
