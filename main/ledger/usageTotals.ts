import type { Activity } from './energy.ts';

/** A path's bytes over some span: the app's own (exact, from the engine) and all traffic (the OS counters). */
export interface Totals {
  appRx: number;
  appTx: number;
  allRx: number;
  allTx: number;
  activeS: number;
  bursts: number;
}

export const ZERO: Totals = { appRx: 0, appTx: 0, allRx: 0, allTx: 0, activeS: 0, bursts: 0 };

export function addTotals(a: Totals, b: Partial<Totals>): Totals {
  return {
    appRx: a.appRx + (b.appRx ?? 0),
    appTx: a.appTx + (b.appTx ?? 0),
    allRx: a.allRx + (b.allRx ?? 0),
    allTx: a.allTx + (b.allTx ?? 0),
    activeS: a.activeS + (b.activeS ?? 0),
    bursts: a.bursts + (b.bursts ?? 0),
  };
}

/** Bytes the plan counts: the interface's own counters, or the app's bytes where those are more. */
export function usedBytes(t: Totals): number {
  return Math.max(t.allRx + t.allTx, t.appRx + t.appTx);
}

/** What one path moved in one minute that is not written yet (`rxBytes`/`txBytes`: all traffic). */
export interface UsageDelta extends Activity {
  path: string;
  /** Start of the minute. */
  t: number;
  appRx: number;
  appTx: number;
}
