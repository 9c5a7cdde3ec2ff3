import type { PathColors } from '../lib/pathColors.ts';
import { formatBytes, formatPercent } from '../../../common/format.ts';

/**
 * A transfer's progress split by path: each path's share of the file in its colour, so the
 * bar itself shows which links carried the download; bytes it had from before (a resumed part
 * file) in grey, so the bar always reaches what the figures say. `muted`: all grey (cancelled).
 */
export function SplitProgress({
  label,
  size,
  received,
  parts,
  colors,
  indeterminate,
  muted = false,
}: {
  label: string;
  size: number | null;
  received: number;
  parts: Array<{ name: string; bytes: number }>;
  colors: PathColors;
  indeterminate?: boolean;
  muted?: boolean;
}) {
  const total = size && size > 0 ? size : Math.max(received, 1);
  const fraction = Math.min(1, received / total);
  const carried = parts.reduce((sum, p) => sum + Math.max(0, p.bytes), 0);
  const shown = [...parts, { name: '', bytes: Math.max(0, received - carried) }];
  return (
    <div
      className={`split-progress${indeterminate ? ' is-indeterminate' : ''}${muted ? ' is-muted' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={size ? Math.round(fraction * 100) : undefined}
      aria-valuetext={
        size
          ? `${formatPercent(fraction)} (${formatBytes(received)} of ${formatBytes(size)})`
          : `${formatBytes(received)}`
      }
    >
      <svg className="split-track" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
        {segments(shown, total).map((segment) => (
          <rect
            key={segment.name}
            className={muted || !segment.name ? 'split-rest' : undefined}
            x={segment.x * 1000}
            width={Math.max(segment.width * 1000, 0)}
            y={0}
            height={10}
            {...(muted || !segment.name ? {} : { fill: colors(segment.name) })}
          />
        ))}
      </svg>
    </div>
  );
}

function segments(parts: Array<{ name: string; bytes: number }>, total: number) {
  let x = 0;
  return parts
    .filter((p) => p.bytes > 0)
    .map((p) => {
      const width = Math.min(p.bytes / total, 1 - x);
      const segment = { name: p.name, x, width };
      x += width;
      return segment;
    });
}

/** Usage against a cap; amber past the first threshold, red at the cap, with a "Cap reached" badge there. */
export function CapMeter({
  label,
  used,
  cap,
  forecast,
  warnAt = 0.75,
}: {
  label: string;
  used: number;
  cap: number;
  forecast?: number;
  warnAt?: number;
}) {
  const fraction = cap > 0 ? used / cap : 0;
  const level = fraction >= 1 ? 'is-over' : fraction >= warnAt ? 'is-warn' : 'is-ok';
  const forecastFraction = forecast !== undefined && cap > 0 ? Math.min(forecast / cap, 1) : undefined;
  return (
    <>
      <CapMeterBar
        level={level}
        label={label}
        used={used}
        cap={cap}
        fraction={fraction}
        forecastFraction={forecastFraction}
      />
      {fraction >= 1 && <span className="badge badge-bad cap-reached">Cap reached</span>}
    </>
  );
}

function CapMeterBar({
  level,
  label,
  used,
  cap,
  fraction,
  forecastFraction,
}: {
  level: string;
  label: string;
  used: number;
  cap: number;
  fraction: number;
  forecastFraction: number | undefined;
}) {
  return (
    <div
      className={`cap-meter ${level}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={cap}
      aria-valuenow={Math.min(used, cap)}
      aria-valuetext={`${formatBytes(used)} of ${formatBytes(cap)} (${formatPercent(fraction)})`}
    >
      <svg viewBox="0 0 1000 8" preserveAspectRatio="none" aria-hidden="true">
        <rect className="cap-track" x={0} y={0} width={1000} height={8} />
        {forecastFraction !== undefined && (
          <rect className="cap-forecast" x={0} y={0} width={forecastFraction * 1000} height={8} />
        )}
        <rect className="cap-fill" x={0} y={0} width={Math.min(fraction, 1) * 1000} height={8} />
      </svg>
    </div>
  );
}

export function PathDot({ color }: { color: string }) {
  return (
    <svg className="path-dot" width={10} height={10} viewBox="0 0 10 10" aria-hidden="true">
      <circle cx={5} cy={5} r={5} fill={color} />
    </svg>
  );
}
