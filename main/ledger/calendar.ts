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

/** Local midnight `days` calendar days after the day containing `t` (negative goes back). */
export function addDays(t: number, days: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

export interface Cycle {
  start: number;
  end: number;
}

/**
 * The billing cycle containing `now`. Monthly: from local midnight on `startDay` (1–28, so it
 * exists in every month) to the same day next month. Rolling 30 days: the 30 local days ending
 * with today.
 */
export function cycleAt(plan: Pick<Plan, 'cycle'> | null, now: number): Cycle {
  const cycle = plan?.cycle ?? { kind: 'monthly' as const, startDay: 1 };
  const d = new Date(now);
  if (cycle.kind === 'rolling30') {
    const end = addDays(now, 1);
    return { start: addDays(end, -30), end };
  }
  const y = d.getFullYear();
  const m = d.getMonth();
  const thisMonth = new Date(y, m, cycle.startDay).getTime();
  const start = now >= thisMonth ? thisMonth : new Date(y, m - 1, cycle.startDay).getTime();
  const s = new Date(start);
  return { start, end: new Date(s.getFullYear(), s.getMonth() + 1, cycle.startDay).getTime() };
}

/** A local date as YYYY-MM-DD (cycle keys, alert keys, the contract's cycle strings). */
export function localDate(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
