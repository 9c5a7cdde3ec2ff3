import { Bar, BarChart } from 'recharts';
import { formatDate } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { biggestFirst, niceTicks } from '../lib/ticks.ts';
import { ChartFrame } from './ChartFrame.tsx';

/** Bytes per day, stacked by path: the path that carried most at the bottom, the rest on it. */
export default function DailyUsageChart({
  rows,
  paths,
  colors,
}: {
  rows: Array<Record<string, number>>;
  paths: string[];
  colors: PathColors;
}) {
  const top = Math.max(0, ...rows.map((r) => paths.reduce((s, p) => s + (r[p] ?? 0), 0)));
  return (
    <ChartFrame
      chart={BarChart}
      data={rows}
      initialSize={{ width: 600, height: 240 }}
      barCategoryGap="22%"
      x={{ format: formatDate, minTickGap: 24, daily: true }}
      y={{ ticks: niceTicks(top) }}
      tooltip={{ label: formatDate, colors, cursor: true }}
    >
      {biggestFirst(rows, paths).map((name, i) => (
        <Bar
          key={name}
          dataKey={name}
          name={name}
          stackId="day"
          fill={colors(name)}
          radius={i === paths.length - 1 ? [3, 3, 0, 0] : 0}
          isAnimationActive={false}
        />
      ))}
    </ChartFrame>
  );
}
