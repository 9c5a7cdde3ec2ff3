import { lazy, useMemo } from 'react';
import type { PathUsage, Plan, UsagePoint, UsageSummary } from '../../../common/contract.ts';
import { formatBytes, formatMoney } from '../../../common/format.ts';
import { PathDot } from '../components/Bars.tsx';
import { ChartBox } from '../components/ChartFigure.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf, type Loadable } from '../hooks/useLive.ts';
import { forecastRows } from '../lib/usageSeries.ts';
import {
  capOutlook,
  forecastOf,
  formatByteRange,
  formatMoneyRange,
  lastDay,
  NO_FORECAST,
  type ForecastView,
} from '../lib/usageText.ts';

const ForecastChart = lazy(() => import('../charts/ForecastChart.tsx'));

/** Each capped path's cycle: used so far, where the pace ends it, and the cap (and its rule). */
export function Forecasts({
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

/**
 * The card's pill: over the cap (by how much), maybe over, on track, or no forecast and why; for
 * a plan that stops or slows at its cap, "Cap reached" or "Reaches the cap" instead of "over".
 */
function outlookPill(
  usage: PathUsage,
  forecast: ForecastView,
  plan: Plan | undefined,
): { tone: string; text: string } {
  const cap = usage.capBytes ?? 0;
  const outlook = capOutlook(usage, forecast, plan);
  if (outlook === 'capped') return { tone: 'bad', text: 'Cap reached' };
  if (outlook === 'reaches') return { tone: 'warn', text: 'Reaches the cap' };
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

/**
 * Where the cycle ends, in words: a range and its cost, one figure, or why there is no forecast;
 * with what the plan does at the cap when the pace gets there.
 */
function forecastWords(usage: PathUsage, forecast: ForecastView, plan: Plan | undefined): string {
  const by = `by ${lastDay(usage.cycle.end)}`;
  const outlook = capOutlook(usage, forecast, plan);
  const cap = formatBytes(usage.capBytes);
  if (outlook === 'capped') return `at its ${cap} cap: Pathwise uses it no more this cycle`;
  if (forecast.state === 'none') return NO_FORECAST[forecast.why].explain;
  if (outlook === 'reaches') {
    return `forecast: reaches its ${cap} cap ${by}, where Pathwise stops using it`;
  }
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
  const pill = outlookPill(usage, forecast, plan);
  const words = `${formatBytes(usage.allBytes)} used · ${forecastWords(usage, forecast, plan)}`;
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
