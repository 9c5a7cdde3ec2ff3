import { lazy, useMemo, useState } from 'react';
import { ChartFigure } from '../components/ChartFigure.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { EmptyState } from '../components/States.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { formatRate } from '../../../common/format.ts';
import { latestRates, throughputRows, type RateKind } from '../lib/liveSeries.ts';

// recharts is the biggest dependency: it loads with the first chart, not with the app.
const ThroughputChart = lazy(() => import('../charts/ThroughputChart.tsx'));

const WINDOWS = [
  { value: '60000', label: '1 min' },
  { value: '300000', label: '5 min' },
  { value: '900000', label: '15 min' },
] as const;

const KINDS = [
  { value: 'all', label: 'All traffic' },
  { value: 'app', label: 'Pathwise' },
] as const;

/** The overview's live chart: every path's rate over the last minutes, all traffic or Pathwise's own. */
export function LiveThroughput({ names }: { names: string[] }) {
  const { throughput, colors } = useDashboard();
  const [windowMs, setWindowMs] = useState<string>('300000');
  const [kind, setKind] = useState<RateKind>('all');
  const last = throughput[throughput.length - 1];
  const sinceMs = (last?.t ?? 0) - Number(windowMs);
  // Paths that carried samples stay in the chart after they go away, so its history stays whole.
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
  const rateNow = (name: string): string => {
    const r = current[name];
    return formatRate(r ? (kind === 'app' ? r.appRate : r.rxRate + r.txRate) : 0);
  };
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
          <Segmented label="Traffic shown" value={kind} size="sm" options={KINDS} onChange={setKind} />
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
        <ChartFigure
          label={`Live throughput per path. Now: ${seen.map((name) => `${name} ${rateNow(name)}`).join(', ')}.`}
          paths={seen}
          colors={colors}
          value={rateNow}
        >
          <ThroughputChart rows={rows} paths={seen} colors={colors} windowMs={Number(windowMs)} />
        </ChartFigure>
      )}
    </Section>
  );
}
