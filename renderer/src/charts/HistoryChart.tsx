import { Area, AreaChart } from 'recharts';
import { formatDate, formatDateTime } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { niceTicks, timeTicks } from '../lib/ticks.ts';
import { DAY_MS } from '../lib/usageSeries.ts';
import { ChartFrame } from './ChartFrame.tsx';

/** Traffic per time bucket over a longer range (already downsampled to ~1000 points a path). */
export default function HistoryChart({
  rows,
  paths,
  colors,
}: {
  rows: Array<Record<string, number>>;
  paths: string[];
  colors: PathColors;
}) {
  const top = Math.max(0, ...rows.flatMap((r) => paths.map((p) => r[p] ?? 0)));
  const time = timeTicks(rows[0]?.['t'] ?? 0, rows.at(-1)?.['t'] ?? 0);
  // Days by their date; within a day the hour, except that midnight names the new day.
  const label = (t: number): string => {
    const at = new Date(t);
    return time.step >= DAY_MS || (at.getHours() === 0 && at.getMinutes() === 0)
      ? formatDate(t)
      : at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  };
  return (
    <ChartFrame
      chart={AreaChart}
      data={rows}
      initialSize={{ width: 600, height: 220 }}
      x={{ format: label, minTickGap: 24, ticks: time.ticks }}
      y={{ ticks: niceTicks(top) }}
      tooltip={{ label: formatDateTime, colors }}
    >
      {paths.map((name) => (
        <Area
          key={name}
          type="monotone"
          dataKey={name}
          stroke={colors(name)}
          fill={colors(name)}
          fillOpacity={0.12}
          strokeWidth={1.4}
          isAnimationActive={false}
          dot={false}
        />
      ))}
    </ChartFrame>
  );
}
