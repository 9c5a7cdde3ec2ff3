import { lazy, useMemo, useReducer, useState } from 'react';
import type { PathUsage, Plan, UsagePoint, UsageSummary } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { ChartBox, ChartFigure } from '../components/ChartFigure.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { BatteryImpact } from './BatteryImpact.tsx';
import { CycleTable } from './CycleTable.tsx';
import { UsageHistory } from './UsageHistory.tsx';
import './usage.css';
import {
  capOutlook,
  forecastOf,
  formatByteRange,
  formatMoneyRange,
  lastDay,
  NO_FORECAST,
  type ForecastView,
} from '../lib/usageText.ts';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useHistory } from '../hooks/useHistory.ts';
import { valueOf, type Loadable } from '../hooks/useLive.ts';
import { formatBytes, formatDate, formatMoney } from '../../../common/format.ts';
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
  const { api } = useDashboard();
  const [now] = useState(() => Date.now());
  // A correction changes the history too: the history table asks again.
  const [revision, corrected] = useReducer((n: number) => n + 1, 0);
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
      <CycleTable summary={summary} onChanged={corrected} />
      <DailyUsage daily={daily} />
      <Forecasts summary={summary} daily={daily} now={now} />
      <RecentHistory />
      <UsageHistory revision={revision} />
      <BatteryImpact summary={summary} />
    </>
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
  const { colors, settings } = useDashboard();
  const plans = valueOf(settings.data)?.plans ?? {};
  const capped = summary.paths.filter((p) => p.capBytes !== null);
  if (capped.length === 0) return null;
  return (
    <Section
      title="Forecast vs cap"
      description="Used so far (solid) and where the current pace ends the cycle (dashed), with the range it likely ends in."
    >
      <div className="forecast-grid">
        {capped.map((p) => (
          <ForecastCard
            key={p.name}
            usage={p}
            plan={plans[p.name]}
            color={colors(p.name)}
            points={valueOf(history) ?? []}
            now={now}
          />
        ))}
      </div>
    </Section>
  );
}

/** The card's pill: over the cap (by how much), maybe over, on track, or no forecast and why. */
function outlookPill(usage: PathUsage, forecast: ForecastView): { tone: string; text: string } {
  const cap = usage.capBytes ?? 0;
  const outlook = capOutlook(usage, forecast);
  if (outlook === 'over') {
    const by =
      usage.allBytes > cap || forecast.state === 'none'
        ? formatBytes(usage.allBytes - cap)
        : forecast.state === 'range'
          ? formatByteRange(forecast.lowBytes - cap, forecast.highBytes - cap)
          : formatBytes(forecast.bytes - cap);
    return { tone: 'bad', text: `Over cap by ${by}` };
  }
  if (outlook === 'maybe') return { tone: 'warn', text: 'May pass the cap' };
  if (forecast.state === 'none') return { tone: 'info', text: NO_FORECAST[forecast.why].label };
  return { tone: 'good', text: 'On track' };
}

/** Where the cycle ends, in words: a range and its cost, one figure, or why there is no forecast. */
function forecastWords(usage: PathUsage, forecast: ForecastView): string {
  const by = `by ${lastDay(usage.cycle.end)}`;
  if (forecast.state === 'none') return NO_FORECAST[forecast.why].explain;
  if (forecast.state === 'point') {
    return `forecast ${formatBytes(forecast.bytes)} ${by} · ${formatMoney(forecast.cost, usage.currency)}`;
  }
  const cost = usage.currency
    ? ` · ${formatMoneyRange(forecast.lowCost, forecast.highCost, usage.currency)}`
    : '';
  return `forecast ${formatByteRange(forecast.lowBytes, forecast.highBytes)} ${by}${cost}`;
}

function ForecastCard({
  usage,
  plan,
  color,
  points,
  now,
}: {
  usage: PathUsage;
  plan: Plan | undefined;
  color: string;
  points: Parameters<typeof forecastRows>[1];
  now: number;
}) {
  const rows = useMemo(() => forecastRows(usage, points, now), [usage, points, now]);
  const forecast = forecastOf(usage, plan);
  const pill = outlookPill(usage, forecast);
  const words = `${formatBytes(usage.allBytes)} used · ${forecastWords(usage, forecast)}`;
  return (
    <article className="forecast-card" aria-label={`${usage.name} forecast`}>
      <header className="forecast-head">
        <span className="cell-path">
          <PathDot color={color} /> <strong>{usage.name}</strong>
        </span>
        <span className={`pill tone-${pill.tone}`}>{pill.text}</span>
      </header>
      <ChartBox small label={`${usage.name}: ${words}; cap ${formatBytes(usage.capBytes)}.`}>
        <ForecastChart rows={rows} cap={usage.capBytes} color={color} name={usage.name} />
      </ChartBox>
      <p className="forecast-foot muted small">{words}</p>
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
