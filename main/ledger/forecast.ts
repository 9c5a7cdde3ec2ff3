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
