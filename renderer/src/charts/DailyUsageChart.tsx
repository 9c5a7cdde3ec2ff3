import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatBytesShort, formatDate } from '../lib/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { niceTicks } from '../lib/ticks.ts';
import { ChartTooltip } from './ChartTooltip.tsx';

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
      <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="22%">
        <CartesianGrid vertical={false} className="chart-grid" />
        <XAxis
          dataKey="t"
          tickFormatter={(t: number) => formatDate(t)}
          minTickGap={24}
          tickLine={false}
          axisLine={false}
          className="chart-axis"
        />
        <YAxis
          ticks={ticks}
          domain={[0, ticks[ticks.length - 1] ?? 'auto']}
          tickFormatter={(v: number) => formatBytesShort(v)}
          width={52}
          tickLine={false}
          axisLine={false}
          className="chart-axis"
        />
        <Tooltip
          cursor={{ className: 'chart-cursor' }}
          content={
            <ChartTooltip
              labelFormatter={(t) => formatDate(Number(t))}
              valueFormatter={(v) => formatBytes(v)}
              colors={colors}
            />
          }
        />
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
