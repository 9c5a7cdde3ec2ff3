import { addDays } from './calendar.ts';

/** A counters gap longer than this was not watched (the app was closed, or the machine slept). */
export const UNWATCHED_GAP_MS = 2 * 60_000;

/** One local day's share of bytes counted over an unwatched gap. */
export interface DayShare {
  /** A moment inside that day's part of the gap (its middle): where the share is booked. */
  t: number;
  rx: number;
  tx: number;
}

/**
 * Bytes the counters moved while nobody watched (issue 20 case 8), spread over the gap by time,
 * split at local midnights: 900 MB over 27–28 February and the first minutes of March is booked
 * mostly to February's days and cycle, not to the first minute after start. When in the gap they
 * really went is unknown, so the rows say these bytes are an estimate. Shares are whole bytes that
 * add up exactly.
 */
export function spreadOverGap(from: number, to: number, rx: number, tx: number): DayShare[] {
  const span = Math.max(1, to - from);
  const shares: DayShare[] = [];
  let givenRx = 0;
  let givenTx = 0;
  let start = from;
  while (start < to) {
    const end = Math.min(to, addDays(start, 1));
    const last = end >= to;
    const doneFraction = (end - from) / span;
    const rxUpTo = last ? rx : Math.round(rx * doneFraction);
    const txUpTo = last ? tx : Math.round(tx * doneFraction);
    shares.push({ t: start + Math.floor((end - start) / 2), rx: rxUpTo - givenRx, tx: txUpTo - givenTx });
    givenRx = rxUpTo;
    givenTx = txUpTo;
    start = end;
  }
  return shares.filter((s) => s.rx > 0 || s.tx > 0);
}
