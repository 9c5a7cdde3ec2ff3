import type { PathUsage, Plan } from '../../../common/contract.ts';
import { formatBytes, formatDate, formatMoney } from '../../../common/format.ts';

/**
 * How the usage view words the ledger's accounting: a forecast as a range (or why there is
 * none), bytes that are estimates, corrections, and a cost split into fee and per-GB price.
 */

/** "1.2–1.6 GB", or "800 MB–1.2 GB" across units, or one figure when both round alike. */
export function formatByteRange(low: number, high: number): string {
  const [a, b] = [formatBytes(low), formatBytes(high)];
  if (a === b) return a;
  const [aValue, aUnit] = a.split(' ');
  const [bValue, bUnit] = b.split(' ');
  return aUnit === bUnit ? `${aValue}–${bValue} ${bUnit}` : `${a}–${b}`;
}

export function formatMoneyRange(low: number, high: number, currency: string | null): string {
  const [a, b] = [formatMoney(low, currency), formatMoney(high, currency)];
  return a === b ? a : `${a}–${b}`;
}

/** "+180 MB", "−1.2 GB": a correction, with its sign. */
export function formatSignedBytes(bytes: number): string {
  return `${bytes < 0 ? '−' : '+'}${formatBytes(Math.abs(bytes))}`;
}

/** The last day of a cycle, whose `end` is the next cycle's first midnight: "by Dec 31". */
export function lastDay(end: string | number): string {
  return formatDate(new Date(end).getTime() - 1);
}

export type NoForecast = 'sliding' | 'early';

export type ForecastView =
  | { state: 'range'; lowBytes: number; highBytes: number; lowCost: number; highCost: number }
  /** A core from before forecast ranges: its one figure. */
  | { state: 'point'; bytes: number; cost: number }
  | { state: 'none'; why: NoForecast };

/**
 * Where the cycle ends, as the ledger sees it. Without a forecast the ledger's forecastBytes is
 * the use so far, not an extrapolation, so it is never shown as one: the reason is shown instead.
 */
export function forecastOf(usage: PathUsage, plan: Plan | undefined): ForecastView {
  if (usage.forecast === null) {
    return { state: 'none', why: plan?.cycle.kind === 'rolling30' ? 'sliding' : 'early' };
  }
  if (usage.forecast === undefined) {
    return { state: 'point', bytes: usage.forecastBytes, cost: usage.forecastCost };
  }
  return { state: 'range', ...usage.forecast };
}

/** Why there is no forecast: a short label for a table cell, and the explanation. */
export const NO_FORECAST: Record<NoForecast, { label: string; why: string; explain: string }> = {
  early: {
    label: 'No forecast yet',
    why: 'Not a full day of data yet',
    explain:
      'Not a full day of data yet: the forecast starts once a whole day has been counted, rather than guess the cycle from a few hours.',
  },
  sliding: {
    label: 'No forecast',
    why: 'A sliding window has no end',
    explain:
      'A sliding 30-day window has no end date, so there is nothing to forecast: this is the use of the last 30 days.',
  },
};

/**
 * Where a path's forecast puts it against its cap: certain over, maybe over, or within; under a
 * plan that stops at the cap, never "over": `capped` once there, `reaches` when the pace gets
 * there before the cycle ends (issue 24: "925 MB, over cap by 875 MB" in red while the plan
 * stopped at 50 MB said what could not happen). A plan that slows at the cap does go over it,
 * slowly: the ledger's forecast already counts only what its rate limit lets through.
 */
export function capOutlook(
  usage: PathUsage,
  forecast: ForecastView,
  plan?: Pick<Plan, 'atCap'> | undefined,
): 'over' | 'maybe' | 'within' | 'capped' | 'reaches' {
  const cap = usage.capBytes;
  if (cap === null) return 'within';
  if (plan?.atCap === 'stop') {
    if (usage.allBytes >= cap) return 'capped';
    return forecast.state !== 'none' && forecastTop(usage, forecast) >= cap ? 'reaches' : 'within';
  }
  if (usage.allBytes > cap) return 'over';
  if (forecast.state === 'range') {
    if (forecast.lowBytes > cap) return 'over';
    return forecast.highBytes > cap ? 'maybe' : 'within';
  }
  if (forecast.state === 'point') return forecast.bytes > cap ? 'over' : 'within';
  return 'within';
}

/** The bytes the forecast expects at the cycle's end (the range's top: the figure to plan for). */
export function forecastTop(usage: PathUsage, forecast: ForecastView): number {
  if (forecast.state === 'range') return forecast.highBytes;
  if (forecast.state === 'point') return forecast.bytes;
  return usage.allBytes;
}

export const ESTIMATE_NOTE =
  '~ Partly estimated: traffic counted while Pathwise was closed is spread over the time it was closed, so which day (and which cycle) it fell on is an estimate.';

export const CORRECTION_NOTE =
  'A correction is what you set to match your carrier’s figure, or a reset; it is included in All traffic, and what Pathwise measured is kept.';

/** The cost as a bill shows it: the fixed fee and the per-GB part; null without a fee. */
export function costSplit(usage: Pick<PathUsage, 'cost' | 'feeCost' | 'currency'>): string | null {
  if (usage.feeCost === undefined) return null;
  const perGb = Math.max(0, Math.round((usage.cost - usage.feeCost) * 100) / 100);
  return `${formatMoney(usage.feeCost, usage.currency)} fee + ${formatMoney(perGb, usage.currency)} per GB`;
}
