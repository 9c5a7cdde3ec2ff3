import { Area, ComposedChart, Line, ReferenceLine } from 'recharts';
import { formatBytes, formatDate } from '../../../common/format.ts';
import { niceTicks, timeTicks } from '../lib/ticks.ts';
import { ChartFrame } from './ChartFrame.tsx';

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
  const first = rows[0]?.t ?? 0;
  const last = rows.at(-1)?.t ?? first;
  const gradient = `fc-${name.replace(/\W/g, '_')}`;
  return (
    <ChartFrame
      chart={ComposedChart}
      data={rows}
      initialSize={{ width: 400, height: 180 }}
      margin={{ top: 12, right: 12, bottom: 0, left: 0 }}
      gradients={
        <linearGradient id={gradient} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stopColor={color} stopOpacity={0.35} />
          <stop offset="100%" stopColor={color} stopOpacity={0.02} />
        </linearGradient>
      }
      x={{ format: (t) => formatDate(t), minTickGap: 36, ticks: timeTicks(first, last, 5).ticks }}
      y={{ ticks: niceTicks(top, 3) }}
      tooltip={{
        label: (t) => formatDate(t),
        colors: () => color,
        names: (key) => ({ path: name, text: key === 'forecast' ? 'Forecast' : 'Used' }),
      }}
    >
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
        fill={`url(#${gradient})`}
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
    </ChartFrame>
  );
}
