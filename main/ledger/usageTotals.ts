import type { Activity } from './energy.ts';

/** A path's bytes over some span: the app's own (exact, from the engine) and all traffic (the OS counters). */
export interface Totals {
  appRx: number;
  appTx: number;
  allRx: number;
  allTx: number;
  activeS: number;
  bursts: number;
  /**
   * Of all traffic, bytes whose time is an estimate: counted at start for the time the app was
   * closed and spread over it (issue 20 case 8).
   */
  estBytes: number;
  /** Corrections to the carrier's figure and resets (may be negative); added to the bytes used. */
  adjBytes: number;
}

export const ZERO: Totals = {
  appRx: 0,
  appTx: 0,
  allRx: 0,
  allTx: 0,
  activeS: 0,
  bursts: 0,
  estBytes: 0,
  adjBytes: 0,
};

export function addTotals(a: Totals, b: Partial<Totals>): Totals {
  return {
    appRx: a.appRx + (b.appRx ?? 0),
    appTx: a.appTx + (b.appTx ?? 0),
    allRx: a.allRx + (b.allRx ?? 0),
    allTx: a.allTx + (b.allTx ?? 0),
    activeS: a.activeS + (b.activeS ?? 0),
    bursts: a.bursts + (b.bursts ?? 0),
    estBytes: a.estBytes + (b.estBytes ?? 0),
    adjBytes: a.adjBytes + (b.adjBytes ?? 0),
  };
}

/**
 * Bytes the plan counts: the interface's own counters, or the app's bytes where those are more,
 * plus the user's corrections (never below zero).
 */
export function usedBytes(t: Totals): number {
  return Math.max(0, Math.max(t.allRx + t.allTx, t.appRx + t.appTx) + t.adjBytes);
}

/** What one path moved in one minute that is not written yet (`rxBytes`/`txBytes`: all traffic). */
export interface UsageDelta extends Activity {
  path: string;
  /** Start of the minute. */
  t: number;
  appRx: number;
  appTx: number;
  /** Of rxBytes + txBytes, bytes spread over a time the app was closed (an estimate of when). */
  estBytes: number;
}
