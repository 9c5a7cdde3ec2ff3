import type { PathInfo } from '../../common/contract.ts';
import { readProcNetDev, readStatistics, type LinkCounters } from './linuxLinks.ts';

export interface PathRates {
  rxRate: number;
  txRate: number;
}

/** An interface's OS byte counters (all traffic of the machine on it) at the last tick. */
export interface PathTotals {
  rxBytes: number;
  txBytes: number;
}

export interface CounterState extends LinkCounters {
  at: number;
  rxRate: number;
  txRate: number;
  /** Consecutive ticks that sent packets and received none: a hint of a silent blackhole. */
  silentTicks: number;
}

/**
 * The OS byte and packet counters per interface, sampled on the monitor's tick: rates between
 * ticks, and how many ticks in a row a path sent without receiving anything. Linux only (the
 * counters come from /proc/net/dev, or sysfs statistics for a fake tree).
 */
export class CounterSampler {
  private readonly sysClassNet: string;
  private readonly procNetDir: string;
  private readonly linux: boolean;
  private readonly counters = new Map<string, CounterState>();
  private readonly totals = new Map<string, PathTotals>();
  /** When the last tick read the counters (0 before the first, and always 0 off Linux). */
  lastTickAt = 0;

  constructor(options: { sysClassNet: string; procNetDir: string; linux: boolean }) {
    this.sysClassNet = options.sysClassNet;
    this.procNetDir = options.procNetDir;
    this.linux = options.linux;
  }

  /** The counters of these interfaces now; one read of /proc/net/dev serves them all. */
  read(names: string[]): Map<string, LinkCounters> {
    const table = this.sysClassNet === '/sys/class/net' ? readProcNetDev(this.procNetDir) : undefined;
    const result = new Map<string, LinkCounters>();
    for (const name of names) {
      const c = table?.get(name) ?? readStatistics(this.sysClassNet, name);
      if (c) result.set(name, c);
    }
    return result;
  }

  tick(now: number, names: string[]): void {
    if (!this.linux) return;
    this.lastTickAt = now;
    const read = this.read(names);
    for (const [name, c] of read) {
      const prev = this.counters.get(name);
      const dt = prev ? (now - prev.at) / 1000 : 0;
      // A counter that went backwards was reset (driver reload): restart the rate from here.
      const rxRate = prev && dt > 0 && c.rxBytes >= prev.rxBytes ? (c.rxBytes - prev.rxBytes) / dt : 0;
      const txRate = prev && dt > 0 && c.txBytes >= prev.txBytes ? (c.txBytes - prev.txBytes) / dt : 0;
      const sentOnly = prev !== undefined && c.txPackets > prev.txPackets && c.rxPackets === prev.rxPackets;
      this.counters.set(name, {
        ...c,
        at: now,
        rxRate,
        txRate,
        silentTicks: sentOnly ? (prev?.silentTicks ?? 0) + 1 : 0,
      });
    }
    for (const name of this.counters.keys()) if (!read.has(name)) this.counters.delete(name);
  }

  get(name: string): CounterState | undefined {
    return this.counters.get(name);
  }

  /** Each up path's rates, rounded; the totals behind them are kept for `totalsByPath()`. */
  rates(paths: readonly PathInfo[]): Record<string, PathRates> {
    const rates: Record<string, PathRates> = {};
    this.totals.clear();
    for (const path of paths) {
      if (!path.up || path.type === 'loopback') continue;
      const c = this.counters.get(path.name);
      rates[path.name] = { rxRate: Math.round(c?.rxRate ?? 0), txRate: Math.round(c?.txRate ?? 0) };
      if (c) this.totals.set(path.name, { rxBytes: c.rxBytes, txBytes: c.txBytes });
    }
    return rates;
  }

  /** Each up path's counters as of the last `rates()`. */
  totalsByPath(): ReadonlyMap<string, PathTotals> {
    return this.totals;
  }
}
