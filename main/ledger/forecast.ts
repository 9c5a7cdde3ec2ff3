import type { Plan } from '../../common/contract.ts';
import { addDays, dayStart } from './calendar.ts';

const DAY = 86_400_000;
/** Recent days count more: a day a week older weighs half. */
const HALF_LIFE_DAYS = 7;

/** Bytes at the end of the cycle: the likeliest figure and a range about it. */
export interface ByteForecast {
  bytes: number;
  lowBytes: number;
  highBytes: number;
}

/**
 * Where this cycle's use ends (issue 20 case 9), from the pace of the days before today — never
 * from the first minutes of a cycle (500 MB by 00:10 once made 372 GB). `days` is the use of the
 * complete days before today, oldest first, from the first day the ledger saw anything (up to a few
 * weeks; they may reach into earlier cycles); without a complete day there is no forecast (null).
 * The pace is a weighted mean (half-life a week); the range is ± one standard deviation of a
 * day's use, grown with the square root of the days left (days vary independently), so it is
 * narrow for a steady user and near the cycle's end.
 */
export function forecastBytes(
  used: number,
  days: readonly number[],
  now: number,
  end: number,
): ByteForecast | null {
  if (days.length === 0) return null;
  let weights = 0;
  let sum = 0;
  days.forEach((bytes, i) => {
    const w = 0.5 ** ((days.length - 1 - i) / HALF_LIFE_DAYS);
    weights += w;
    sum += w * bytes;
  });
  const pace = sum / weights;
  let spread = 0;
  days.forEach((bytes, i) => {
    const w = 0.5 ** ((days.length - 1 - i) / HALF_LIFE_DAYS);
    spread += w * (bytes - pace) ** 2;
  });
  const sd = Math.sqrt(spread / weights);
  const left = Math.max(0, end - now) / DAY;
  const mid = pace * left;
  const margin = sd * Math.sqrt(left);
  return {
    bytes: Math.round(used + mid),
    lowBytes: Math.round(used + Math.max(0, mid - margin)),
    highBytes: Math.round(used + mid + margin),
  };
}

/** The days the pace is taken from: complete days before today, from the first with data. */
export const PACE_DAYS = 28;

/**
 * Complete days of use a "will pass the cap" alert waits for: saving a plan on a cycle's second
 * day must not be met by a warning drawn from one day.
 */
export const ALERT_MIN_DAYS = 3;

/**
 * The use of the complete days before today, oldest first, from the first day with any (up to
 * PACE_DAYS back): what `forecastBytes` takes its pace from. `daily(from, to)` is one entry a day.
 */
export function paceDays(daily: (from: number, to: number) => number[], now: number): number[] {
  const today = dayStart(now);
  const days = daily(addDays(today, -PACE_DAYS), today);
  const first = days.findIndex((bytes) => bytes > 0);
  return first < 0 ? [] : days.slice(first);
}

/**
 * A forecast under the plan's rule at the cap (issue 24): with "stop" Pathwise's use ends at the
 * cap, so the cycle ends there (or where it stands, if other traffic took it past); with
 * "rate-limit" no more than the limit can follow for the rest of the cycle; "allow" goes on.
 */
export function underAtCap(
  forecast: ByteForecast,
  plan: Pick<Plan, 'capBytes' | 'atCap' | 'rateLimitBps'> | null,
  used: number,
  now: number,
  end: number,
): ByteForecast {
  if (!plan || plan.capBytes === null || plan.atCap === 'allow') return forecast;
  const after = plan.atCap === 'rate-limit' ? ((plan.rateLimitBps ?? 0) * Math.max(0, end - now)) / 1000 : 0;
  const top = Math.round(Math.max(plan.capBytes, used) + after);
  return {
    bytes: Math.min(forecast.bytes, top),
    lowBytes: Math.min(forecast.lowBytes, top),
    highBytes: Math.min(forecast.highBytes, top),
  };
}

/** When the forecast's pace reaches `cap` (used < cap < the forecast); null when it does not. */
export function reachesCapAt(
  forecast: ByteForecast,
  used: number,
  cap: number,
  now: number,
  end: number,
): number | null {
  if (used >= cap || forecast.bytes <= cap || end <= now) return null;
  const pace = (forecast.bytes - used) / (end - now);
  return Math.round(now + (cap - used) / pace);
}
