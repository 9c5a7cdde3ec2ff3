import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatBytesShort, formatDateTime } from '../lib/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { niceTicks } from '../lib/ticks.ts';
import { ChartTooltip } from './ChartTooltip.tsx';

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
  const ticks = niceTicks(top);
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 600, height: 220 }}>
      <AreaChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} className="chart-grid" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(t: number) => formatDateTime(t)}
          minTickGap={80}
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
          content={
            <ChartTooltip
              labelFormatter={(t) => formatDateTime(Number(t))}
              valueFormatter={(v) => formatBytes(v)}
              colors={colors}
            />
          }
        />
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
      </AreaChart>
    </ResponsiveContainer>
  );
}
