import { Area, AreaChart } from 'recharts';
import type { PathColors } from '../lib/pathColors.ts';
import { formatBitsShort, formatRate } from '../../../common/format.ts';
import { ChartFrame } from './ChartFrame.tsx';

/** Live throughput, one stacked area per path, so the top edge is the machine's total. */
export default function ThroughputChart({
  rows,
  paths,
  colors,
  windowMs,
}: {
  rows: Array<Record<string, number>>;
  paths: string[];
  colors: PathColors;
  windowMs: number;
}) {
  // Drawn in bits per second so the axis gets round numbers (links are sold in Mbit/s).
  const bits = rows.map((row) => {
    const out: Record<string, number> = { t: row['t'] ?? 0 };
    for (const name of paths) out[name] = (row[name] ?? 0) * 8;
    return out;
  });
  const step = windowMs <= 60_000 ? 10_000 : windowMs <= 300_000 ? 60_000 : 180_000;
  const first = bits[0]?.['t'] ?? 0;
  const last = bits[bits.length - 1]?.['t'] ?? 0;
  const ticks: number[] = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) ticks.push(t);
  const tick = (t: number): string =>
    new Date(t).toLocaleTimeString(undefined, {
      hour: '2-digit',
      minute: '2-digit',
      second: step < 60_000 ? '2-digit' : undefined,
    });
  return (
    <ChartFrame
      chart={AreaChart}
      data={bits}
      initialSize={{ width: 600, height: 240 }}
      gradients={paths.map((name) => (
        <linearGradient key={name} id={`tp-${cssId(name)}`} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stopColor={colors(name)} stopOpacity={0.45} />
          <stop offset="100%" stopColor={colors(name)} stopOpacity={0.05} />
        </linearGradient>
      ))}
      x={{ format: tick, minTickGap: 24, ticks }}
      y={{ format: formatBitsShort, width: 44 }}
      tooltip={{ label: (t) => new Date(t).toLocaleTimeString(), value: (v) => formatRate(v / 8), colors }}
    >
      {paths.map((name) => (
        <Area
          key={name}
          type="monotone"
          dataKey={name}
          name={name}
          stackId="1"
          stroke={colors(name)}
          strokeWidth={1.6}
          fill={`url(#tp-${cssId(name)})`}
          isAnimationActive={false}
          dot={false}
        />
      ))}
    </ChartFrame>
  );
}

function cssId(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_');
}
