import { lazy, useMemo, useState } from 'react';
import type { PathUsage, UsagePoint, UsageSummary } from '../../../common/contract.ts';
import { CapMeter, PathDot } from '../components/Bars.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { ChartBox, ChartFigure } from '../components/ChartFigure.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { BatteryImpact } from './BatteryImpact.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useHistory } from '../hooks/useHistory.ts';
import { valueOf, type Loadable } from '../hooks/useLive.ts';
import { formatBytes, formatDate, formatMoney, formatPercent } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { DAY_MS, downsampleUsage, forecastRows, padQuietGaps, pivotUsage } from '../lib/usageSeries.ts';

const DailyUsageChart = lazy(() => import('../charts/DailyUsageChart.tsx'));
const ForecastChart = lazy(() => import('../charts/ForecastChart.tsx'));
const HistoryChart = lazy(() => import('../charts/HistoryChart.tsx'));

const LEDGER_UNAVAILABLE = {
  icon: 'usage' as const,
  title: 'Usage is not being recorded',
  text: 'The usage ledger is not running in this Pathwise, so there is no usage, cost or energy to show. Restart Pathwise; if it stays like this, run "pathwise usage" in a terminal to see why.',
};

export function UsageView() {
  const { usage } = useDashboard();
  const summary = valueOf(usage.data);
  return (
    <>
      <ViewHeader
        title="Usage & cost"
        subtitle={
          summary
            ? `Billing cycle ${formatDate(summary.cycle.start)} – ${formatDate(summary.cycle.end)}`
            : 'Data, money and battery per path.'
        }
      />
      <LoadableView data={usage.data} what="usage" onRetry={usage.reload} unavailable={LEDGER_UNAVAILABLE}>
        {(value) => <UsageBody summary={value} />}
      </LoadableView>
    </>
  );
}

function UsageBody({ summary }: { summary: UsageSummary }) {
  const { api, colors } = useDashboard();
  const [now] = useState(() => Date.now());
  const from = Date.parse(summary.cycle.start);
  const daily = useHistory(api, { resolution: 'day', from, to: Math.max(now, from + DAY_MS) });
  if (summary.paths.length === 0) {
    return (
      <EmptyState icon="usage" title="No usage recorded yet">
        Usage appears here as soon as any path carries traffic. Set a plan for a metered path in Settings to
        see its cap and cost.
      </EmptyState>
    );
  }
  return (
    <>
      <PlanTable summary={summary} colors={colors} />
      <DailyUsage daily={daily} />
      <Forecasts summary={summary} daily={daily} now={now} />
      <RecentHistory />
      <BatteryImpact summary={summary} />
    </>
  );
}

function PlanTable({ summary, colors }: { summary: UsageSummary; colors: PathColors }) {
  const { settings } = useDashboard();
  const warnAt = Math.min(...(valueOf(settings.data)?.capThresholds ?? [0.75]), 1);
  return (
    <Section
      title="This cycle"
      description="All traffic on each path, what Pathwise itself moved, and what it costs."
    >
      <div className="table-wrap">
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col" className="num">
                All traffic
              </th>
              <th scope="col" className="num">
                By Pathwise
              </th>
              <th scope="col">Cap</th>
              <th scope="col" className="num">
                Forecast
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                Forecast cost
              </th>
            </tr>
          </thead>
          <tbody>
            {summary.paths.map((p) => (
              <tr key={p.name}>
                <th scope="row">
                  <span className="cell-path">
                    <PathDot color={colors(p.name)} /> {p.name}
                  </span>
                </th>
                <td className="num">{formatBytes(p.allBytes)}</td>
                <td className="num">{formatBytes(p.appBytes)}</td>
                <td className="cap-cell">
                  {p.capBytes !== null ? (
                    <>
                      <CapMeter
                        label={`${p.name} data used of its cap`}
                        used={p.allBytes}
                        cap={p.capBytes}
                        forecast={p.forecastBytes}
                        warnAt={warnAt}
                      />
                      <span className="small muted">
                        {formatPercent(p.allBytes / p.capBytes)} of {formatBytes(p.capBytes)}
                      </span>
                    </>
                  ) : (
                    <span className="muted">No cap</span>
                  )}
                </td>
                <td
                  className={`num${p.capBytes !== null && p.forecastBytes > p.capBytes ? ' text-bad' : ''}`}
                >
                  {formatBytes(p.forecastBytes)}
                </td>
                <td className={p.currency ? 'num' : 'num muted'}>{formatMoney(p.cost, p.currency)}</td>
                <td className={p.currency ? 'num' : 'num muted'}>
                  {formatMoney(p.forecastCost, p.currency)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}

function DailyUsage({ daily: history }: { daily: Loadable<UsagePoint[]> }) {
  const { colors } = useDashboard();
  const [kind, setKind] = useState<'all' | 'app'>('all');
  return (
    <Section
      title="Usage by day"
      description={kind === 'all' ? 'All traffic per day, stacked by path.' : 'Bytes Pathwise moved per day.'}
      actions={
        <Segmented
          label="Traffic shown"
          size="sm"
          value={kind}
          options={[
            { value: 'all', label: 'All traffic' },
            { value: 'app', label: 'Pathwise' },
          ]}
          onChange={setKind}
        />
      }
    >
      <LoadableView data={history} what="daily usage" unavailable={LEDGER_UNAVAILABLE}>
        {(points) => {
          const { rows, paths } = pivotUsage(points, kind);
          if (rows.length === 0) {
            return <EmptyState icon="usage" title="No days recorded in this cycle yet" />;
          }
          return (
            <ChartFigure
              label={`Usage by day for ${rows.length} days: ${paths.map((p) => `${p} ${formatBytes(rows.reduce((s, r) => s + (r[p] ?? 0), 0))}`).join(', ')}.`}
              paths={paths}
              colors={colors}
            >
              <DailyUsageChart rows={rows} paths={paths} colors={colors} />
            </ChartFigure>
          );
        }}
      </LoadableView>
    </Section>
  );
}

function Forecasts({
  summary,
  daily: history,
  now,
}: {
  summary: UsageSummary;
  daily: Loadable<UsagePoint[]>;
  now: number;
}) {
  const { colors } = useDashboard();
  const capped = summary.paths.filter((p) => p.capBytes !== null);
  if (capped.length === 0) return null;
  return (
    <Section
      title="Forecast vs cap"
      description="Used so far (solid) and where the current pace ends the cycle (dashed)."
    >
      <div className="forecast-grid">
        {capped.map((p) => (
          <ForecastCard
            key={p.name}
            usage={p}
            color={colors(p.name)}
            points={valueOf(history) ?? []}
            now={now}
          />
        ))}
      </div>
    </Section>
  );
}

function ForecastCard({
  usage,
  color,
  points,
  now,
}: {
  usage: PathUsage;
  color: string;
  points: Parameters<typeof forecastRows>[1];
  now: number;
}) {
  const rows = useMemo(() => forecastRows(usage, points, now), [usage, points, now]);
  const cap = usage.capBytes ?? 0;
  const over = usage.forecastBytes > cap;
  return (
    <article className="forecast-card" aria-label={`${usage.name} forecast`}>
      <header className="forecast-head">
        <span className="cell-path">
          <PathDot color={color} /> <strong>{usage.name}</strong>
        </span>
        <span className={`pill tone-${over ? 'bad' : 'good'}`}>
          {over ? `Over cap by ${formatBytes(usage.forecastBytes - cap)}` : 'On track'}
        </span>
      </header>
      <ChartBox
        small
        label={`${usage.name}: ${formatBytes(usage.allBytes)} used, forecast ${formatBytes(usage.forecastBytes)} by ${formatDate(usage.cycle.end)}, cap ${formatBytes(cap)}.`}
      >
        <ForecastChart rows={rows} cap={usage.capBytes} color={color} name={usage.name} />
      </ChartBox>
      <p className="forecast-foot muted small">
        {formatBytes(usage.allBytes)} used · forecast {formatBytes(usage.forecastBytes)} by{' '}
        {formatDate(usage.cycle.end)} · {formatMoney(usage.forecastCost, usage.currency)}
      </p>
    </article>
  );
}

const RANGES = [
  { value: '21600000', label: '6 h', resolution: 'minute' },
  { value: '86400000', label: '24 h', resolution: 'minute' },
  { value: '604800000', label: '7 days', resolution: 'hour' },
] as const;

function RecentHistory() {
  const { api, colors } = useDashboard();
  const [range, setRange] = useState<(typeof RANGES)[number]['value']>('86400000');
  const [now] = useState(() => Date.now());
  const spec = RANGES.find((r) => r.value === range) ?? RANGES[1];
  const history = useHistory(api, { resolution: spec.resolution, from: now - Number(range), to: now });
  return (
    <Section
      title="Recent traffic"
      description={`Per ${spec.resolution}, all traffic on each path.`}
      actions={
        <Segmented
          label="Range"
          size="sm"
          value={range}
          options={RANGES.map(({ value, label }) => ({ value, label }))}
          onChange={setRange}
        />
      }
    >
      <LoadableView data={history} what="recent traffic" unavailable={LEDGER_UNAVAILABLE}>
        {(points) => {
          if (points.length === 0)
            return <EmptyState icon="usage" title="No traffic recorded in this range yet" />;
          const bucketMs = spec.resolution === 'minute' ? 60_000 : 3_600_000;
          const padded = padQuietGaps(points, bucketMs, now - Number(range), now);
          const { rows, paths } = pivotUsage(downsampleUsage(padded), 'all');
          return (
            <ChartFigure
              label={`Traffic per ${spec.resolution} over the last ${spec.label}.`}
              paths={paths}
              colors={colors}
            >
              <HistoryChart rows={rows} paths={paths} colors={colors} />
            </ChartFigure>
          );
        }}
      </LoadableView>
    </Section>
  );
}
