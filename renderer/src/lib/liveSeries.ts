import type { ThroughputSample } from '../../../common/contract.ts';

/** How much live throughput the dashboard keeps in memory: the longest window the chart offers. */
export const LIVE_WINDOW_MS = 15 * 60_000;

/**
 * Appends a sample and drops what fell out of the window, so the live series stays bounded
 * however long the dashboard is open. Out-of-order or duplicate samples are ignored.
 */
export function appendSample(
  series: readonly ThroughputSample[],
  sample: ThroughputSample,
  windowMs: number = LIVE_WINDOW_MS,
): ThroughputSample[] {
  const last = series[series.length - 1];
  if (last && sample.t <= last.t) return series as ThroughputSample[];
  const cutoff = sample.t - windowMs;
  let first = 0;
  while (first < series.length && (series[first] as ThroughputSample).t < cutoff) first++;
  const next = series.slice(first);
  next.push(sample);
  return next;
}

export type RateKind = 'all' | 'app';

/** Rows for a chart: one per sample, one numeric column per path (bytes/s). */
export function throughputRows(
  series: readonly ThroughputSample[],
  paths: readonly string[],
  kind: RateKind,
  sinceMs: number,
): Array<Record<string, number>> {
  const rows: Array<Record<string, number>> = [];
  for (const sample of series) {
    if (sample.t < sinceMs) continue;
    const row: Record<string, number> = { t: sample.t };
    for (const name of paths) {
      const rates = sample.paths[name];
      row[name] = rates ? (kind === 'app' ? rates.appRate : rates.rxRate + rates.txRate) : 0;
    }
    rows.push(row);
  }
  return rows;
}

/** Latest rate per path, for cards and the header. */
export function latestRates(
  series: readonly ThroughputSample[],
): Record<string, { appRate: number; rxRate: number; txRate: number }> {
  return series[series.length - 1]?.paths ?? {};
}
