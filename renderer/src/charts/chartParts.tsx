import type { ReactElement } from 'react';
import { CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatBytesShort } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { ChartTooltip } from './ChartTooltip.tsx';

/*
 * The parts every chart shares: grid, axes and tooltip in one look. They are functions that
 * return recharts' own elements (not components wrapping them), so recharts sees its XAxis,
 * YAxis and Tooltip as direct children, as it expects.
 */

export const CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };

/** Axes without lines of their own: the grid carries the eye. */
const AXIS_LOOK = { tickLine: false, axisLine: false, className: 'chart-axis' } as const;

export function chartGrid(): ReactElement {
  return <CartesianGrid vertical={false} className="chart-grid" />;
}

/** The x axis over `t`: a time scale (ms since the epoch), or one category per row (`daily`). */
export function timeAxis({
  format,
  minTickGap,
  ticks,
  daily = false,
}: {
  format: (t: number) => string;
  minTickGap: number;
  ticks?: number[];
  daily?: boolean;
}): ReactElement {
  return (
    <XAxis
      dataKey="t"
      {...(daily ? {} : { type: 'number' as const, scale: 'time' as const, domain: ['dataMin', 'dataMax'] })}
      {...(ticks ? { ticks } : {})}
      tickFormatter={format}
      minTickGap={minTickGap}
      {...AXIS_LOOK}
    />
  );
}

/** A y axis in bytes with round ticks from zero (see niceTicks), or any `format` without them. */
export function valueAxis({
  ticks,
  format = formatBytesShort,
  width = 52,
}: {
  ticks?: number[];
  format?: (value: number) => string;
  width?: number;
}): ReactElement {
  return (
    <YAxis
      {...(ticks ? { ticks, domain: [0, ticks[ticks.length - 1] ?? 'auto'] } : {})}
      tickFormatter={(v: number) => format(v)}
      width={width}
      {...AXIS_LOOK}
    />
  );
}

export function chartTooltip({
  label,
  value = formatBytes,
  colors,
  names,
  cursor = false,
}: {
  label: (t: number) => string;
  value?: (v: number) => string;
  colors: PathColors;
  names?: (key: string) => { path: string; text: string };
  /** Shade the hovered category (bar charts). */
  cursor?: boolean;
}): ReactElement {
  return (
    <Tooltip
      {...(cursor ? { cursor: { className: 'chart-cursor' } } : {})}
      content={
        <ChartTooltip
          labelFormatter={(t) => label(Number(t))}
          valueFormatter={value}
          colors={colors}
          {...(names ? { nameFormatter: names } : {})}
        />
      }
    />
  );
}
