import type { PathUsage, UsagePoint } from '../../../common/contract.ts';
import { downsample, MAX_POINTS_PER_SERIES } from './downsample.ts';

export const DAY_MS = 86_400_000;

/** Pivot ledger points into chart rows: one row per time bucket, one column per path. */
export function pivotUsage(
  points: readonly UsagePoint[],
  kind: 'all' | 'app',
): { rows: Array<Record<string, number>>; paths: string[] } {
  const byTime = new Map<number, Record<string, number>>();
  const names = new Set<string>();
  for (const p of points) {
    names.add(p.path);
    const row = byTime.get(p.t) ?? { t: p.t };
    row[p.path] = (row[p.path] ?? 0) + (kind === 'app' ? p.appBytes : p.allBytes);
    byTime.set(p.t, row);
  }
  const paths = [...names].sort();
  const rows = [...byTime.values()].sort((a, b) => (a['t'] ?? 0) - (b['t'] ?? 0));
  for (const row of rows) for (const name of paths) row[name] ??= 0;
  return { rows, paths };
}

/** Each path's points on their own, in time order. */
function seriesByPath(points: readonly UsagePoint[]): Map<string, UsagePoint[]> {
  const byPath = new Map<string, UsagePoint[]>();
  for (const p of points) {
    const list = byPath.get(p.path) ?? [];
    list.push(p);
    byPath.set(p.path, list);
  }
  for (const list of byPath.values()) list.sort((a, b) => a.t - b.t);
  return byPath;
}

/**
 * The ledger stores only the buckets that saw traffic. For a chart, a path's silence must read as
 * zero — not as a ramp drawn between two distant buckets — and the range must span [from, to], so
 * one short download still shows as a spike in its place. Adds zero points at the edges of every
 * quiet stretch longer than one bucket (at most two per stretch).
 */
export function padQuietGaps(
  points: readonly UsagePoint[],
  bucketMs: number,
  from: number,
  to: number,
): UsagePoint[] {
  const out: UsagePoint[] = [];
  for (const [path, list] of seriesByPath(points)) {
    const zero = (t: number): UsagePoint => ({ t, path, appBytes: 0, allBytes: 0 });
    /** Quiet from `start` (inclusive) until `end` (exclusive, the next busy bucket or the range end). */
    const quiet = (start: number, end: number): void => {
      if (end - start < bucketMs) return;
      out.push(zero(start));
      if (end - bucketMs > start) out.push(zero(end - bucketMs));
    };
    let next = from;
    for (const p of list) {
      quiet(next, p.t);
      out.push(p);
      next = p.t + bucketMs;
    }
    if (to - next >= bucketMs) {
      out.push(zero(next));
      out.push(zero(to));
    }
  }
  return out;
}

/**
 * Long history (minute resolution over days) thinned to at most ~1000 points per series: each
 * path is downsampled on its own so its peaks survive, then the rows are merged back.
 */
export function downsampleUsage(
  points: readonly UsagePoint[],
  maxPoints = MAX_POINTS_PER_SERIES,
): UsagePoint[] {
  const out: UsagePoint[] = [];
  for (const list of seriesByPath(points).values()) {
    out.push(
      ...downsample(
        list,
        maxPoints,
        (p) => p.t,
        (p) => p.allBytes,
      ),
    );
  }
  return out;
}

/**
 * The cycle so far and the forecast to its end for one path: cumulative bytes by day (actual),
 * then a straight line from today's total to the ledger's forecast at the cycle's end (none when
 * the ledger has no forecast).
 */
export function forecastRows(
  usage: PathUsage,
  daily: readonly UsagePoint[],
  now: number,
): Array<{ t: number; actual?: number; forecast?: number }> {
  const start = Date.parse(usage.cycle.start);
  const end = Date.parse(usage.cycle.end);
  const days = daily
    .filter((p) => p.path === usage.name && p.t >= start && p.t <= now)
    .sort((a, b) => a.t - b.t);
  const rows: Array<{ t: number; actual?: number; forecast?: number }> = [{ t: start, actual: 0 }];
  let total = 0;
  for (const day of days) {
    // Days without traffic stay flat: no ramp drawn across them to the next busy day.
    const last = rows[rows.length - 1];
    if (last && day.t > last.t) rows.push({ t: day.t, actual: total });
    total += day.allBytes;
    rows.push({ t: Math.min(day.t + DAY_MS, now), actual: total });
  }
  // The ledger's own total is the truth for "now" (daily buckets may lag the live counter).
  const today = Math.max(total, usage.allBytes);
  const last = rows[rows.length - 1];
  if (last && last.t < now) rows.push({ t: now, actual: today });
  else if (last) last.actual = today;
  // Without a forecast (no complete day yet, or a sliding window) nothing is extrapolated.
  if (usage.forecast === null) return rows;
  const nowRow = rows[rows.length - 1];
  if (nowRow) nowRow.forecast = today;
  if (end > now) rows.push({ t: end, forecast: Math.max(usage.forecastBytes, today) });
  return rows;
}
