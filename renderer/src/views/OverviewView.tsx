import { lazy, Suspense, useMemo, useState } from 'react';
import type { PathInfo, Preference } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { EmptyState, LoadableView, Loading } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { formatBytes, formatMoney, formatRate } from '../../../common/format.ts';
import { latestRates, throughputRows, type RateKind } from '../lib/liveSeries.ts';
import { PathCard } from './PathCard.tsx';

// recharts is the biggest dependency: it loads with the first chart, not with the app.
const ThroughputChart = lazy(() => import('../charts/ThroughputChart.tsx'));

const WINDOWS = [
  { value: '60000', label: '1 min' },
  { value: '300000', label: '5 min' },
  { value: '900000', label: '15 min' },
] as const;

export function isNetworkPath(path: PathInfo): boolean {
  return path.type !== 'loopback' && path.type !== 'virtual';
}

export function OverviewView() {
  const { api, paths, usage, settings, throughput, colors, transfers } = useDashboard();
  const pathList = valueOf(paths.data);
  const summary = valueOf(usage.data);
  const warnAt = Math.min(...(valueOf(settings.data)?.capThresholds ?? [0.75]), 1);
  const rates = latestRates(throughput);
  const network = (pathList ?? []).filter(isNetworkPath);
  const others = (pathList ?? []).filter((p) => !isNetworkPath(p));
  const up = network.filter((p) => p.up).length;

  const setPreference = async (name: string, preference: Preference): Promise<void> => {
    paths.set(await api.invoke('paths.setPreference', name, preference));
  };

  const totalDown = network.reduce((sum, p) => sum + (rates[p.name]?.rxRate ?? p.rxRate ?? 0), 0);
  const transferList = valueOf(transfers.data) ?? [];
  const running = transferList.filter((t) => t.state === 'running' || t.state === 'probing');
  const appRate = running.reduce((sum, t) => sum + t.rate, 0);
  const cycleBytes = summary?.paths.reduce((sum, p) => sum + p.allBytes, 0);
  const currencies = new Set(summary?.paths.map((p) => p.currency).filter(Boolean));
  const cost = summary?.paths.reduce((sum, p) => sum + p.cost, 0);

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
      <div className="stat-strip">
        <Stat label="Download now" value={formatRate(totalDown)} hint="all traffic on this machine" />
        <Stat
          label="Pathwise transfers"
          value={running.length > 0 ? formatRate(appRate) : transfers.data.state === 'ready' ? 'Idle' : '—'}
          hint={
            running.length > 0
              ? `${running.length} running`
              : transfers.data.state === 'ready'
                ? 'nothing running'
                : 'not available'
          }
        />
        <Stat
          label="This billing cycle"
          value={cycleBytes !== undefined ? formatBytes(cycleBytes) : '—'}
          hint={summary ? 'across all paths' : 'usage not available'}
        />
        <Stat
          label="Cost so far"
          value={
            cost !== undefined && currencies.size <= 1 ? formatMoney(cost, [...currencies][0] ?? null) : '—'
          }
          hint={summary ? 'from your plans' : 'usage not available'}
        />
      </div>

      <Section
        title="Network paths"
        description="Choose how Pathwise may use each path. Colours match every chart."
      >
        <LoadableView data={paths.data} what="network paths" onRetry={paths.reload}>
          {() =>
            network.length === 0 ? (
              <EmptyState icon="wifi" title="No network paths found">
                Connect Wi-Fi or Ethernet, or plug in a phone or cellular modem; it appears here within a
                second.
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
        {others.length > 0 && (
          <details className="other-interfaces">
            <summary>
              {others.length} other {others.length === 1 ? 'interface' : 'interfaces'} (loopback, virtual; not
              used for transfers)
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
        )}
      </Section>

      <LiveThroughput names={network.map((p) => p.name)} />
    </>
  );
}

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint && <div className="stat-hint">{hint}</div>}
    </div>
  );
}

export function LiveThroughput({ names }: { names: string[] }) {
  const { throughput, colors } = useDashboard();
  const [windowMs, setWindowMs] = useState<string>('300000');
  const [kind, setKind] = useState<RateKind>('all');
  const last = throughput[throughput.length - 1];
  const sinceMs = (last?.t ?? 0) - Number(windowMs);
  const seen = useMemo(() => {
    const set = new Set(names);
    for (const sample of throughput) for (const name of Object.keys(sample.paths)) set.add(name);
    return [...set].filter((n) => n !== 'lo').sort();
  }, [names, throughput]);
  const rows = useMemo(
    () => throughputRows(throughput, seen, kind, sinceMs),
    [throughput, seen, kind, sinceMs],
  );
  const current = last ? latestRates(throughput) : {};
  const summaryText = seen
    .map((name) => {
      const r = current[name];
      return `${name} ${formatRate(r ? (kind === 'app' ? r.appRate : r.rxRate + r.txRate) : 0)}`;
    })
    .join(', ');
  return (
    <Section
      title="Live throughput"
      description={
        kind === 'app'
          ? 'What Pathwise moves on each path, in bits per second.'
          : 'All traffic on each path, down and up, in bits per second.'
      }
      actions={
        <>
          <Segmented
            label="Traffic shown"
            value={kind}
            size="sm"
            options={[
              { value: 'all', label: 'All traffic' },
              { value: 'app', label: 'Pathwise' },
            ]}
            onChange={setKind}
          />
          <Segmented
            label="Time window"
            value={windowMs}
            size="sm"
            options={WINDOWS}
            onChange={setWindowMs}
          />
        </>
      }
    >
      {rows.length < 2 ? (
        <EmptyState icon="usage" title="Waiting for live samples">
          Pathwise measures every path once a second; the chart starts after the first two samples.
        </EmptyState>
      ) : (
        <figure className="chart-figure">
          <div className="chart-box" role="img" aria-label={`Live throughput per path. Now: ${summaryText}.`}>
            <Suspense fallback={<Loading label="Loading chart…" />}>
              <ThroughputChart rows={rows} paths={seen} colors={colors} windowMs={Number(windowMs)} />
            </Suspense>
          </div>
          <figcaption className="legend">
            {seen.map((name) => (
              <span key={name} className="legend-item">
                <PathDot color={colors(name)} /> {name}
                <span className="legend-value">
                  {formatRate(
                    current[name]
                      ? kind === 'app'
                        ? current[name].appRate
                        : current[name].rxRate + current[name].txRate
                      : 0,
                  )}
                </span>
              </span>
            ))}
          </figcaption>
        </figure>
      )}
    </Section>
  );
}
