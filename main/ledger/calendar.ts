import type { Plan } from '../../common/contract.ts';

/**
 * Local-time calendar arithmetic for usage buckets and billing cycles. Everything goes through
 * the Date constructor with local fields, so boundaries are local midnights (and local hours)
 * whatever the DST offset of that day: a day can be 23 or 25 hours long and a cycle stays exact.
 */

export const MINUTE = 60_000;

/** Start of the minute containing `t` (minutes are the same length in every time zone). */
export function minuteStart(t: number): number {
  return t - (((t % MINUTE) + MINUTE) % MINUTE);
}

/** Start of the local hour containing `t`. */
export function hourStart(t: number): number {
  const d = new Date(t);
  d.setMinutes(0, 0, 0);
  return d.getTime();
}

/** Local midnight starting the day that contains `t`. */
export function dayStart(t: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/**
 * The key of the local calendar date containing `t`: that date's midnight in UTC. Day rows are
 * keyed by date, not by an instant, so they stay the same days when the time zone changes
 * (issue 20 case 6): "1 March" is 1 March wherever the laptop is now, and a cycle of whole local
 * days sums exactly the rows of its dates.
 */
export function dayKey(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
}

/** Local midnight (in the zone now) of the date a day key names. */
export function dayOfKey(key: number): number {
  const d = new Date(key);
  return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()).getTime();
}

/** Local midnight `days` calendar days after the day containing `t` (negative goes back). */
export function addDays(t: number, days: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

export interface Cycle {
  start: number;
  end: number;
}

/** Days in month `m` (0-based, may run past 11 or below 0) of year `y`. */
function daysIn(y: number, m: number): number {
  return new Date(y, m + 1, 0).getDate();
}

/** Local midnight of `day` in month `m` of `y`, clamped to the month's last day. */
function clampedDay(y: number, m: number, day: number): number {
  return new Date(y, m, Math.min(day, daysIn(y, m))).getTime();
}

/** Whole calendar days from the local date of `a` to that of `b` (exact across DST). */
export function daysBetween(a: number, b: number): number {
  const utc = (t: number): number => {
    const d = new Date(t);
    return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate());
  };
  return Math.round((utc(b) - utc(a)) / 86_400_000);
}

/** Local midnight of a YYYY-MM-DD date. */
export function parseLocalDate(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).getTime();
}

/**
 * The billing cycle containing `now`. Monthly: from local midnight on `startDay` to the same day
 * next month, clamped to short months (31 is every month's last day, 30 is 28 Feb). Rolling 30
 * days: the 30 local days ending with today, a window that slides. Prepaid: 30-day periods from
 * the activation day.
 */
export function cycleAt(plan: Pick<Plan, 'cycle'> | null, now: number): Cycle {
  const cycle = plan?.cycle ?? { kind: 'monthly' as const, startDay: 1 };
  if (cycle.kind === 'rolling30') {
    const end = addDays(now, 1);
    return { start: addDays(end, -30), end };
  }
  if (cycle.kind === 'prepaid30') {
    const activated = parseLocalDate(cycle.activated);
    const start = addDays(activated, Math.floor(daysBetween(activated, now) / 30) * 30);
    return { start, end: addDays(start, 30) };
  }
  const d = new Date(now);
  const y = d.getFullYear();
  const m = d.getMonth();
  const thisMonth = clampedDay(y, m, cycle.startDay);
  const startMonth = now >= thisMonth ? m : m - 1;
  return {
    start: clampedDay(y, startMonth, cycle.startDay),
    end: clampedDay(y, startMonth + 1, cycle.startDay),
  };
}

/** Whether the cycle slides (nothing resets): alerts then speak per episode over the cap. */
export function isSliding(plan: Pick<Plan, 'cycle'> | null): boolean {
  return plan?.cycle.kind === 'rolling30';
}

/** A local date as YYYY-MM-DD (cycle keys, alert keys, the contract's cycle strings). */
export function localDate(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
