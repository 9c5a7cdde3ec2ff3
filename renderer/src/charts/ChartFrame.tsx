import type { ComponentProps, ReactElement, ReactNode } from 'react';
import { CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type AreaChart } from 'recharts';
import { formatBytes, formatBytesShort } from '../../../common/format.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { ChartTooltip } from './ChartTooltip.tsx';

/*
 * The frame every chart shares: its container, grid, axes and tooltip in one look, so a chart
 * says only what it draws (its series) and how its numbers read (its formatters). The legend is
 * HTML outside the chart (components/ChartFigure.tsx), so it loads without recharts.
 */

const CHART_MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };

/** Axes without lines of their own: the grid carries the eye. */
const AXIS_LOOK = { tickLine: false, axisLine: false, className: 'chart-axis' } as const;

/** Any of recharts' cartesian charts (AreaChart, BarChart, ComposedChart): they take the same props. */
type CartesianChart = (props: ComponentProps<typeof AreaChart>) => ReactElement;

/**
 * The x axis over `t`: a time scale (ms since the epoch), or one category per row (`daily`). Give
 * it `ticks` (lib/ticks.ts) and, for a window that is not all filled yet, its `domain`: recharts'
 * own ticks sit on data points, so a short series got one time label or none.
 */
interface TimeAxis {
  format: (t: number) => string;
  minTickGap: number;
  ticks?: number[];
  domain?: [number, number];
  daily?: boolean;
}

/** A y axis in bytes with round ticks from zero (see niceTicks), or any `format` without them. */
interface ValueAxis {
  ticks?: number[];
  format?: (value: number) => string;
  width?: number;
}

/** How the hovered time and values read, and each series' colour and name. */
interface TooltipLook {
  label: (t: number) => string;
  value?: (v: number) => string;
  colors: PathColors;
  names?: (key: string) => { path: string; text: string };
  /** Shade the hovered category (bar charts). */
  cursor?: boolean;
}

export function ChartFrame({
  chart: Chart,
  data,
  initialSize,
  margin = CHART_MARGIN,
  barCategoryGap,
  gradients,
  x,
  y,
  tooltip,
  children,
}: {
  chart: CartesianChart;
  data: ReadonlyArray<unknown>;
  /** The size drawn before the container has measured itself. */
  initialSize: { width: number; height: number };
  margin?: typeof CHART_MARGIN;
  barCategoryGap?: string;
  /** `<linearGradient>`s the series fill with, by id. */
  gradients?: ReactNode;
  x: TimeAxis;
  y: ValueAxis;
  tooltip: TooltipLook;
  /** The series: recharts' Area, Bar, Line or ReferenceLine elements. */
  children: ReactNode;
}) {
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={initialSize}>
      {/* No focus stops inside: the box around the chart is its one Tab stop (ChartBox). */}
      <Chart
        data={data}
        margin={margin}
        accessibilityLayer={false}
        {...(barCategoryGap ? { barCategoryGap } : {})}
      >
        {gradients && <defs>{gradients}</defs>}
        <CartesianGrid vertical={false} className="chart-grid" />
        {timeAxis(x)}
        {valueAxis(y)}
        {chartTooltip(tooltip)}
        {children}
      </Chart>
    </ResponsiveContainer>
  );
}

/*
 * The axes and tooltip are functions returning recharts' own elements (not components wrapping
 * them), so recharts sees its XAxis, YAxis and Tooltip as direct children, as it expects.
 */

function timeAxis({ format, minTickGap, ticks, domain, daily = false }: TimeAxis): ReactElement {
  return (
    <XAxis
      dataKey="t"
      {...(daily
        ? {}
        : { type: 'number' as const, scale: 'time' as const, domain: domain ?? ['dataMin', 'dataMax'] })}
      allowDataOverflow={domain !== undefined}
      {...(ticks ? { ticks } : {})}
      tickFormatter={(t: number) => format(t)}
      minTickGap={minTickGap}
      {...AXIS_LOOK}
    />
  );
}

function valueAxis({ ticks, format = formatBytesShort, width = 60 }: ValueAxis): ReactElement {
  return (
    <YAxis
      {...(ticks ? { ticks, domain: [0, ticks[ticks.length - 1] ?? 'auto'], interval: 0 } : {})}
      tickFormatter={(v: number) => format(v)}
      width={width}
      {...AXIS_LOOK}
    />
  );
}

function chartTooltip({
  label,
  value = formatBytes,
  colors,
  names,
  cursor = false,
}: TooltipLook): ReactElement {
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
