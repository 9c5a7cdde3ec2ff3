import { lazy, useReducer, useState } from 'react';
import type { UsagePoint, UsageSummary } from '../../../common/contract.ts';
import { Segmented } from '../components/Segmented.tsx';
import { ChartFigure } from '../components/ChartFigure.tsx';
import { EmptyState, LoadableView } from '../components/States.tsx';
import { Section, ViewHeader } from '../components/ViewHeader.tsx';
import { BatteryImpact } from './BatteryImpact.tsx';
import { CycleTable } from './CycleTable.tsx';
import { Forecasts } from './Forecasts.tsx';
import { RecentTraffic } from './RecentTraffic.tsx';
import { LEDGER_UNAVAILABLE } from './ledgerUnavailable.ts';
import { UsageHistory } from './UsageHistory.tsx';
import './usage.css';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useHistory } from '../hooks/useHistory.ts';
import { valueOf, type Loadable } from '../hooks/useLive.ts';
import { formatBytes, formatDays } from '../../../common/format.ts';
import { DAY_MS, pivotUsage } from '../lib/usageSeries.ts';

const DailyUsageChart = lazy(() => import('../charts/DailyUsageChart.tsx'));

export function UsageView() {
  const { usage } = useDashboard();
  const summary = valueOf(usage.data);
  return (
    <>
      <ViewHeader
        title="Usage & cost"
        subtitle={
          summary
            ? `Billing cycle ${formatDays(summary.cycle.start, summary.cycle.end)}`
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
      <RecentTraffic />
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
