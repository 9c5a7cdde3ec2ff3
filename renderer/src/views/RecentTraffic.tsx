import { lazy, useState } from 'react';
import type { UsagePoint } from '../../../common/contract.ts';
import { ChartFigure } from '../components/ChartFigure.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { EmptyState, Loading, LoadableView } from '../components/States.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useHistory } from '../hooks/useHistory.ts';
import { valueOf } from '../hooks/useLive.ts';
import { downsampleUsage, padQuietGaps, pivotUsage } from '../lib/usageSeries.ts';
import { LEDGER_UNAVAILABLE } from './ledgerUnavailable.ts';

const HistoryChart = lazy(() => import('../charts/HistoryChart.tsx'));

const HOUR = 3_600_000;

export const RANGES = [
  { value: String(6 * HOUR), label: '6 h', resolution: 'minute' },
  { value: String(24 * HOUR), label: '24 h', resolution: 'minute' },
  { value: String(168 * HOUR), label: '7 days', resolution: 'hour' },
] as const;

type RangeValue = (typeof RANGES)[number]['value'];

/**
 * The "idle" floor of the history axis: about 100 kbit/s on average over a bucket (750 kB a
 * minute, 45 MB an hour). Quieter ranges stay a flat line near zero rather than hills of noise.
 */
const FLOOR_BYTES_PER_SECOND = 12_500;

/**
 * The shortest range that has traffic in it, from the last 7 days by hour: the view opens on
 * something to see, not on a flat 24 h after a quiet day (issue 24). 24 h when nothing at all.
 */
export function rangeWithData(week: readonly UsagePoint[], now: number): RangeValue {
  const busy = week.filter((p) => p.allBytes > 0);
  for (const range of RANGES) {
    // Hour rows are stamped at the hour's start: one that began before the range may reach into it.
    if (busy.some((p) => p.t + HOUR > now - Number(range.value))) return range.value;
  }
  return RANGES[1].value;
}

/** Traffic by minute or hour over the last 6 h, 24 h or 7 days, opening on a range with data. */
export function RecentTraffic() {
  const { api } = useDashboard();
  const [now] = useState(() => Date.now());
  const [chosen, setChosen] = useState<RangeValue | null>(null);
  const week = useHistory(api, { resolution: 'hour', from: now - 168 * HOUR, to: now });
  const points = valueOf(week);
  const range = chosen ?? (points ? rangeWithData(points, now) : null);
  return (
    <Section
      title="Recent traffic"
      description="All traffic on each path, drawn from zero with the busiest path behind."
      actions={
        range && (
          <Segmented
            label="Range"
            size="sm"
            value={range}
            options={RANGES.map(({ value, label }) => ({ value, label }))}
            onChange={setChosen}
          />
        )
      }
    >
      {range ? (
        <RangeChart range={range} now={now} />
      ) : (
        <LoadableView data={week} what="recent traffic" unavailable={LEDGER_UNAVAILABLE}>
          {() => <Loading label="Loading recent traffic…" />}
        </LoadableView>
      )}
    </Section>
  );
}

function RangeChart({ range, now }: { range: RangeValue; now: number }) {
  const { api, colors } = useDashboard();
  const spec = RANGES.find((r) => r.value === range) ?? RANGES[1];
  const history = useHistory(api, { resolution: spec.resolution, from: now - Number(range), to: now });
  const bucketMs = spec.resolution === 'minute' ? 60_000 : HOUR;
  return (
    <LoadableView data={history} what="recent traffic" unavailable={LEDGER_UNAVAILABLE}>
      {(points) => {
        if (points.length === 0)
          return <EmptyState icon="usage" title="No traffic recorded in this range yet" />;
        const padded = padQuietGaps(points, bucketMs, now - Number(range), now);
        const { rows, paths } = pivotUsage(downsampleUsage(padded), 'all');
        return (
          <ChartFigure
            label={`Traffic per ${spec.resolution} over the last ${spec.label}.`}
            paths={paths}
            colors={colors}
          >
            <HistoryChart
              rows={rows}
              paths={paths}
              colors={colors}
              floorBytes={(FLOOR_BYTES_PER_SECOND * bucketMs) / 1000}
            />
          </ChartFigure>
        );
      }}
    </LoadableView>
  );
}
