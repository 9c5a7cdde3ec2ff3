import { Area, AreaChart } from 'recharts';
import type { PathColors } from '../lib/pathColors.ts';
import { formatRate, formatTime } from '../../../common/format.ts';
import { biggestFirst, liveAxes } from '../lib/ticks.ts';
import { ChartFrame } from './ChartFrame.tsx';

/**
 * Live throughput, one area per path drawn from zero (not stacked: a stacked top edge read as one
 * path's rate), the biggest behind. The axis says its unit on every tick, never spans less than
 * the idle floor, and always covers the whole window, so its time labels are there from the start.
 */
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
  const axes = liveAxes(bits, paths, windowMs);
  return (
    <ChartFrame
      chart={AreaChart}
      data={bits}
      initialSize={{ width: 600, height: 240 }}
      gradients={paths.map((name) => (
        <linearGradient key={name} id={`tp-${cssId(name)}`} x1="0" y1="0" x2="0" y2="1">
          <stop offset="0%" stopColor={colors(name)} stopOpacity={0.3} />
          <stop offset="100%" stopColor={colors(name)} stopOpacity={0.04} />
        </linearGradient>
      ))}
      x={{
        format: (t) => formatTime(t, axes.step < 60_000),
        minTickGap: 16,
        ticks: axes.timeTicks,
        domain: axes.domain,
      }}
      y={{ ticks: axes.rateTicks, format: axes.rateLabel, width: 90 }}
      tooltip={{ label: (t) => formatTime(t), value: (v) => formatRate(v / 8), colors }}
    >
      {biggestFirst(bits, paths).map((name) => (
        <Area
          key={name}
          type="monotone"
          dataKey={name}
          name={name}
          stroke={colors(name)}
          strokeWidth={1.6}
          fill={`url(#tp-${cssId(name)})`}
          isAnimationActive={false}
          dot={false}
          activeDot={false}
        />
      ))}
    </ChartFrame>
  );
}

function cssId(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_');
}
