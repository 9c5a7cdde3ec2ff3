import type { PathBytesEvent } from '../base/budget.ts';

/**
 * The app's own payload rate per path, from the engine's byte events, sampled once a second
 * beside the OS counters so the throughput chart can show "Pathwise" against "whole machine".
 */
export class AppRateMeter {
  private pending = new Map<string, number>();
  private lastSampleAt: number;

  constructor(now: number = Date.now()) {
    this.lastSampleAt = now;
  }

  record(event: PathBytesEvent): void {
    this.pending.set(event.path, (this.pending.get(event.path) ?? 0) + event.bytes);
  }

  /** Bytes per second per path since the previous sample. */
  sample(now: number = Date.now()): Map<string, number> {
    const seconds = Math.max(0.001, (now - this.lastSampleAt) / 1000);
    const rates = new Map([...this.pending].map(([path, bytes]) => [path, bytes / seconds]));
    this.pending = new Map();
    this.lastSampleAt = now;
    return rates;
  }
}
