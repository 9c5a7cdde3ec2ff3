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
  /**
   * When the OS counters were read. Off Linux they are read every few seconds, not every tick:
   * the ledger counts a reading once, over the time since the one before.
   */
  countersAt: number;
}

export interface CounterState extends LinkCounters {
  at: number;
  rxRate: number;
  txRate: number;
  /** Consecutive ticks that sent packets and received none: a hint of a silent blackhole. */
  silentTicks: number;
}

/** Every interface's byte counters, read from the OS in one go (systeminformation's networkStats). */
export type OsCounterSource = () => Promise<Map<string, { rxBytes: number; txBytes: number }>>;

export type CounterSamplerOptions =
  | { kind: 'linux'; sysClassNet: string; procNetDir: string }
  /** Elsewhere: a slow source (it spawns processes), asked at most every `minIntervalMs`. */
  | { kind: 'os'; source: OsCounterSource; minIntervalMs: number }
  | { kind: 'none' };

/**
 * The OS byte and packet counters per interface, sampled on the monitor's tick: rates between
 * readings, and how many readings in a row a path sent without receiving anything. On Linux the
 * counters come from /proc/net/dev (or sysfs statistics for a fake tree) at every tick; elsewhere
 * from an OS source read in the background at most every few seconds, its readings applied as
 * they arrive (issue 20 case 10: macOS and Windows had no counters at all).
 */
export class CounterSampler {
  private readonly options: CounterSamplerOptions;
  private readonly counters = new Map<string, CounterState>();
  private readonly totals = new Map<string, PathTotals>();
  private reading: Promise<void> | undefined;
  private lastReadAt = 0;
  /** When the last tick read (or asked for) the counters: 0 before the first. */
  lastTickAt = 0;

  constructor(options: CounterSamplerOptions) {
    this.options = options;
  }

  /** Whether counters can be read at every tick, synchronously (Linux). */
  get immediate(): boolean {
    return this.options.kind === 'linux';
  }

  /** The counters of these interfaces now; one read of /proc/net/dev serves them all (Linux only). */
  read(names: string[]): Map<string, LinkCounters> {
    const result = new Map<string, LinkCounters>();
    if (this.options.kind !== 'linux') return result;
    const { sysClassNet, procNetDir } = this.options;
    const table = sysClassNet === '/sys/class/net' ? readProcNetDev(procNetDir) : undefined;
    for (const name of names) {
      const c = table?.get(name) ?? readStatistics(sysClassNet, name);
      if (c) result.set(name, c);
    }
    return result;
  }

  /**
   * Reads the counters (Linux), or asks the OS source for them if the last request is old
   * enough; resolves when that reading has been applied (undefined: nothing was asked).
   */
  tick(now: number, names: string[]): Promise<void> | undefined {
    const options = this.options;
    if (options.kind === 'none') return undefined;
    this.lastTickAt = now;
    if (options.kind === 'linux') {
      this.apply(now, this.read(names));
      return undefined;
    }
    if (this.reading || (this.lastReadAt > 0 && now - this.lastReadAt < options.minIntervalMs)) {
      return this.reading;
    }
    this.lastReadAt = now;
    const wanted = new Set(names);
    this.reading = options
      .source()
      .then((table) => {
        const read = new Map<string, LinkCounters>();
        for (const [name, c] of table) {
          // No packet counts there: bytes stand in (sent something, received nothing).
          if (wanted.has(name)) read.set(name, { ...c, rxPackets: c.rxBytes, txPackets: c.txBytes });
        }
        this.apply(Date.now(), read);
      })
      .catch(() => undefined)
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  private apply(now: number, read: Map<string, LinkCounters>): void {
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

  /**
   * Each up path's rates, rounded; the totals behind them are kept for `totalsByPath()`. Bridges
   * and veths are left out: their bytes stay inside the machine or cross a physical path that
   * counts them already (issue 20 case 12).
   */
  rates(paths: readonly PathInfo[]): Record<string, PathRates> {
    const rates: Record<string, PathRates> = {};
    this.totals.clear();
    for (const path of paths) {
      if (!path.up || path.type === 'loopback' || path.type === 'virtual') continue;
      const c = this.counters.get(path.name);
      rates[path.name] = { rxRate: Math.round(c?.rxRate ?? 0), txRate: Math.round(c?.txRate ?? 0) };
      if (c) this.totals.set(path.name, { rxBytes: c.rxBytes, txBytes: c.txBytes, countersAt: c.at });
    }
    return rates;
  }

  /** Each up path's counters as of the last `rates()`. */
  totalsByPath(): ReadonlyMap<string, PathTotals> {
    return this.totals;
  }
}
