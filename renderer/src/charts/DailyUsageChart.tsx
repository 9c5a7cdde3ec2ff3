import { Bar, BarChart, ResponsiveContainer } from 'recharts';
import { formatDate } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { niceTicks } from '../lib/ticks.ts';
import { CHART_MARGIN, chartGrid, chartTooltip, timeAxis, valueAxis } from './chartParts.tsx';

/** Bytes per day, stacked by path. */
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
  const ticks = niceTicks(top);
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 240 }}>
      <BarChart data={rows} margin={CHART_MARGIN} barCategoryGap="22%">
        {chartGrid()}
        {timeAxis({ format: formatDate, minTickGap: 24, daily: true })}
        {valueAxis({ ticks })}
        {chartTooltip({ label: formatDate, colors, cursor: true })}
        {paths.map((name, i) => (
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
      </BarChart>
    </ResponsiveContainer>
  );
}
