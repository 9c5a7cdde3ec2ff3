import { formatRateTick } from '../../../common/format.ts';
import { DAY_MS } from './usageSeries.ts';

/**
 * Round axis ticks for byte charts (0, 500 MB, 1 GB, 1.5 GB…): recharts' own "nice" ticks are
 * round in decimal digits of bytes, which reads as 650 MB, 1.3 GB.
 */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0];
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIME_STEPS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY_MS,
  2 * DAY_MS,
  7 * DAY_MS,
  14 * DAY_MS,
  28 * DAY_MS,
];

/**
 * Ticks for a time axis from `first` to `last` at round local times (on the hour, at midnight),
 * at most about `target` of them. recharts puts time ticks where the data points are, so a
 * sparse series (a quiet day with one download) got a tick at each end and none between.
 */
export function timeTicks(first: number, last: number, target = 7): { ticks: number[]; step: number } {
  const span = last - first;
  const step = TIME_STEPS.find((s) => span / s <= target) ?? (TIME_STEPS.at(-1) as number);
  if (!(span > 0)) return { ticks: [first], step };
  const ticks: number[] = [];
  if (step >= DAY_MS) {
    // Whole days step through the calendar, so a daylight-saving change keeps them at midnight.
    const days = step / DAY_MS;
    const at = new Date(first);
    at.setHours(0, 0, 0, 0);
    if (at.getTime() < first) at.setDate(at.getDate() + 1);
    for (; at.getTime() <= last; at.setDate(at.getDate() + days)) ticks.push(at.getTime());
    return { ticks, step };
  }
  const midnight = new Date(first);
  midnight.setHours(0, 0, 0, 0);
  const base = midnight.getTime();
  for (let t = base + Math.ceil((first - base) / step) * step; t <= last; t += step) ticks.push(t);
  return { ticks, step };
}

/**
 * The "idle" floor of a rate axis, in bits per second: an axis never spans less, so background
 * chatter of a few kbit/s stays a flat line near zero instead of filling the chart as hills.
 */
export const IDLE_FLOOR_BITS = 1_000_000;

/** Round ticks for a rate axis in bits per second, reaching at least the idle floor. */
export function rateTicks(maxBits: number, floor = IDLE_FLOOR_BITS): number[] {
  return niceTicks(Math.max(maxBits, floor));
}

/**
 * Series drawn over each other, biggest first: the largest path is painted at the back and every
 * smaller one stays in view on top of it, rather than stacked to read as the sum of both.
 */
export function biggestFirst(
  rows: ReadonlyArray<Record<string, number>>,
  paths: readonly string[],
): string[] {
  const total = (name: string): number => rows.reduce((sum, row) => sum + (row[name] ?? 0), 0);
  return [...paths].sort((a, b) => total(b) - total(a) || a.localeCompare(b));
}

/**
 * The live chart's axes for rows (bits per second per path) covering part or all of a window: the
 * whole window on the time axis with a label every `step` (10 s over a minute, a minute over
 * five, 3 min over fifteen), so labels are there from the first samples; round rate ticks from
 * zero over the idle floor, each with its unit and all in one unit, so none repeats.
 */
export function liveAxes(
  rows: ReadonlyArray<Record<string, number>>,
  paths: readonly string[],
  windowMs: number,
): {
  domain: [number, number];
  step: number;
  timeTicks: number[];
  rateTicks: number[];
  rateLabel: (bits: number) => string;
} {
  const step = windowMs <= 60_000 ? 10_000 : windowMs <= 300_000 ? 60_000 : 180_000;
  const last = rows[rows.length - 1]?.['t'] ?? 0;
  const first = last - windowMs;
  const times: number[] = [];
  for (let t = Math.ceil(first / step) * step; t <= last; t += step) times.push(t);
  const top = Math.max(0, ...rows.flatMap((row) => paths.map((name) => row[name] ?? 0)));
  const rates = rateTicks(top);
  const scale = rates[rates.length - 1] ?? 0;
  return {
    domain: [first, last],
    step,
    timeTicks: times,
    rateTicks: rates,
    rateLabel: (bits) => formatRateTick(bits, scale),
  };
}
