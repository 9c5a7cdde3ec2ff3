import type { PathColors } from '../lib/pathColors.ts';
import { PathDot } from '../components/Bars.tsx';

interface Entry {
  name?: string | number;
  dataKey?: string | number | ((row: unknown) => unknown);
  value?: unknown;
}

/** One tooltip look for every chart: the time or day, then a row per path in its colour. */
export function ChartTooltip({
  active,
  payload,
  label,
  labelFormatter,
  valueFormatter,
  colors,
  nameFormatter,
}: {
  active?: boolean;
  payload?: readonly Entry[];
  label?: string | number;
  labelFormatter: (label: string | number) => string;
  valueFormatter: (value: number) => string;
  colors: PathColors;
  nameFormatter?: (name: string) => { path: string; text: string };
}) {
  if (!active || !payload || payload.length === 0) return null;
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-label">{label !== undefined ? labelFormatter(label) : ''}</div>
      {payload.map((entry) => {
        const key = String(entry.name ?? entry.dataKey ?? '');
        const named = nameFormatter ? nameFormatter(key) : { path: key, text: key };
        return (
          <div className="chart-tooltip-row" key={key}>
            <PathDot color={colors(named.path)} />
            <span className="chart-tooltip-name">{named.text}</span>
            <span className="chart-tooltip-value">{valueFormatter(Number(entry.value ?? 0))}</span>
          </div>
        );
      })}
    </div>
  );
}
