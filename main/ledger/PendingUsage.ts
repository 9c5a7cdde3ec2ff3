import type { Cycle } from './calendar.ts';
import { minuteStart } from './calendar.ts';
import { addTotals, type Totals, type UsageDelta } from './usageTotals.ts';

/**
 * Bytes seen since the last flush, one delta per path and minute. Recording is a map update, so
 * the engine's byte events cost next to nothing; a flush takes them all and writes them at once.
 */
export class PendingUsage {
  private readonly deltas = new Map<string, UsageDelta>();

  /** The delta for `path` in the minute containing `now`, started empty if there is none yet. */
  at(path: string, now: number): UsageDelta {
    const t = minuteStart(now);
    const key = `${path}\u0000${t}`;
    let delta = this.deltas.get(key);
    if (!delta) {
      delta = { path, t, appRx: 0, appTx: 0, rxBytes: 0, txBytes: 0, activeS: 0, bursts: 0, estBytes: 0 };
      this.deltas.set(key, delta);
    }
    return delta;
  }

  /** Everything pending, handed over for writing: nothing stays behind to be written twice. */
  take(): UsageDelta[] {
    const deltas = [...this.deltas.values()];
    this.deltas.clear();
    return deltas;
  }

  /** A flush that failed hands its deltas back: they are written with the next one. */
  restore(deltas: readonly UsageDelta[]): void {
    for (const d of deltas) {
      const into = this.at(d.path, d.t);
      into.appRx += d.appRx;
      into.appTx += d.appTx;
      into.rxBytes += d.rxBytes;
      into.txBytes += d.txBytes;
      into.activeS += d.activeS;
      into.bursts += d.bursts;
      into.estBytes += d.estBytes;
    }
  }

  /** The app's bytes pending on `path` in minutes from the one containing `since`. */
  appSince(path: string, since: number): number {
    const from = minuteStart(since);
    let sum = 0;
    for (const d of this.deltas.values()) if (d.path === path && d.t >= from) sum += d.appRx + d.appTx;
    return sum;
  }

  /** `totals` plus the bytes pending on `path` within the cycle (budgets count unflushed bytes). */
  addTo(totals: Totals, path: string, cycle: Cycle): Totals {
    let sum = totals;
    for (const d of this.deltas.values()) {
      if (d.path === path && d.t >= cycle.start && d.t < cycle.end) {
        sum = addTotals(sum, {
          appRx: d.appRx,
          appTx: d.appTx,
          allRx: d.rxBytes,
          allTx: d.txBytes,
          estBytes: d.estBytes,
        });
      }
    }
    return sum;
  }
}
