import { Area, ComposedChart, Line, ReferenceLine, ResponsiveContainer } from 'recharts';
import { formatBytes, formatDate } from '../../../common/format.ts';
import { niceTicks } from '../lib/ticks.ts';
import { chartGrid, chartTooltip, timeAxis, valueAxis } from './chartParts.tsx';

/** One path's cycle: what was used so far, where the current pace ends, and the cap. */
export default function ForecastChart({
  rows,
  cap,
  color,
  name,
}: {
  rows: Array<{ t: number; actual?: number; forecast?: number }>;
  cap: number | null;
  color: string;
  name: string;
}) {
  const top = Math.max(cap ?? 0, ...rows.map((r) => Math.max(r.actual ?? 0, r.forecast ?? 0)));
  const ticks = niceTicks(top, 3);
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 400, height: 180 }}>
      <ComposedChart data={rows} margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
        <defs>
          <linearGradient id={`fc-${name.replace(/\W/g, '_')}`} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor={color} stopOpacity={0.35} />
            <stop offset="100%" stopColor={color} stopOpacity={0.02} />
          </linearGradient>
        </defs>
        {chartGrid()}
        {timeAxis({ format: formatDate, minTickGap: 36 })}
        {valueAxis({ ticks })}
        {chartTooltip({
          label: formatDate,
          colors: () => color,
          names: (key) => ({ path: name, text: key === 'forecast' ? 'Forecast' : 'Used' }),
        })}
        {cap !== null && (
          <ReferenceLine
            y={cap}
            className="chart-cap"
            strokeDasharray="4 4"
            label={{
              value: `Cap ${formatBytes(cap)}`,
              position: 'insideTopLeft',
              className: 'chart-cap-label',
            }}
          />
        )}
        <Area
          type="monotone"
          dataKey="actual"
          stroke={color}
          strokeWidth={2}
          fill={`url(#fc-${name.replace(/\W/g, '_')})`}
          isAnimationActive={false}
          connectNulls
          dot={false}
        />
        <Line
          type="linear"
          dataKey="forecast"
          stroke={color}
          strokeWidth={2}
          strokeDasharray="5 5"
          isAnimationActive={false}
          connectNulls
          dot={false}
        />
      </ComposedChart>
    </ResponsiveContainer>
  );
}
