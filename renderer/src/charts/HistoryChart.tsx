import { Area, AreaChart } from 'recharts';
import { formatDate, formatDateTime, formatTime } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { biggestFirst, niceTicks, timeTicks } from '../lib/ticks.ts';
import { DAY_MS } from '../lib/usageSeries.ts';
import { ChartFrame } from './ChartFrame.tsx';

/**
 * Traffic per time bucket over a longer range (already downsampled to ~1000 points a path): one
 * area per path from zero, the biggest behind, on an axis that never spans less than `floorBytes`
 * per bucket (a quiet range stays flat near zero rather than scaling noise up to the top).
 */
export default function HistoryChart({
  rows,
  paths,
  colors,
  floorBytes = 0,
}: {
  rows: Array<Record<string, number>>;
  paths: string[];
  colors: PathColors;
  floorBytes?: number;
}) {
  const top = Math.max(floorBytes, ...rows.flatMap((r) => paths.map((p) => r[p] ?? 0)));
  const time = timeTicks(rows[0]?.['t'] ?? 0, rows.at(-1)?.['t'] ?? 0);
  // Days by their date; within a day the hour, except that midnight names the new day.
  const label = (t: number): string => {
    const at = new Date(t);
    return time.step >= DAY_MS || (at.getHours() === 0 && at.getMinutes() === 0)
      ? formatDate(t)
      : formatTime(t, false);
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
      {biggestFirst(rows, paths).map((name) => (
        <Area
          key={name}
          type="monotone"
          dataKey={name}
          name={name}
          stroke={colors(name)}
          fill={colors(name)}
          fillOpacity={0.12}
          strokeWidth={1.4}
          isAnimationActive={false}
          dot={false}
          activeDot={false}
        />
      ))}
    </ChartFrame>
  );
}
