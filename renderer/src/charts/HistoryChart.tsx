import { Area, AreaChart, ResponsiveContainer } from 'recharts';
import { formatDateTime } from '../lib/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { niceTicks } from '../lib/ticks.ts';
import { CHART_MARGIN, chartGrid, chartTooltip, timeAxis, valueAxis } from './chartParts.tsx';

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
      <AreaChart data={rows} margin={CHART_MARGIN}>
        {chartGrid()}
        {timeAxis({ format: formatDateTime, minTickGap: 80 })}
        {valueAxis({ ticks })}
        {chartTooltip({ label: formatDateTime, colors })}
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
