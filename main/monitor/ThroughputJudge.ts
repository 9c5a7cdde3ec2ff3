import { formatRate } from '../../common/format.ts';
import {
  DEGRADED_AFTER_MS,
  DEGRADED_RATE_FRACTION,
  MIN_REFERENCE_BPS,
  PROBATION_FIRST_MS,
  PROBATION_MAX_MS,
  PROBATION_RELAPSE_MS,
  RECOVERED_AFTER_MS,
  RECOVERED_RATE_FRACTION,
  REFERENCE_WINDOW_MS,
} from './healthRules.ts';

/** What one download got over one path in the last second or two (the engine's view). */
export interface TransferSample {
  transferId: string;
  path: string;
  /** Bytes per second (the engine's recent average). */
  rate: number;
  /** The download had requests in flight on the path: a low rate then means something. */
  busy: boolean;
}

/** A path became weak (with the reason) or strong again. */
export interface ThroughputChange {
  path: string;
  weak: boolean;
  reason: string;
}

interface Series {
  transferId: string;
  path: string;
  samples: Array<{ t: number; rate: number }>;
  /** The yardstick while the path is weak: what it delivered before, held still. */
  frozen: number | null;
  lowSince: number | null;
  highSince: number | null;
  rate: number;
  busy: boolean;
  seenAt: number;
}

interface Weakness {
  since: number;
  /** The last time a download had requests in flight on the path. */
  busyAt: number;
  probationMs: number;
}

const key = (transferId: string, path: string): string => `${transferId}\u0000${path}`;

/**
 * Throughput far below what a path delivered recently, as the engine sees it: each download's rate
 * on each path is compared with the best it got on that path in the last REFERENCE_WINDOW_MS. A
 * download under DEGRADED_RATE_FRACTION of that for DEGRADED_AFTER_MS makes the path weak, unless
 * the same download's other paths fell as far at the same time (then the server slowed, not the
 * path). A weak path is strong again when a download gets RECOVERED_RATE_FRACTION of its yardstick
 * for RECOVERED_AFTER_MS, or, with no work on it since, on probation after PROBATION_FIRST_MS
 * (doubling on relapse). Per download, so a slow server never looks like a weak path.
 */
export class ThroughputJudge {
  private readonly series = new Map<string, Series>();
  private readonly weak = new Map<string, Weakness>();
  /** When each path last came off probation, and the probation it had (relapses double it). */
  private readonly probations = new Map<string, { at: number; ms: number }>();

  observe(samples: readonly TransferSample[], now: number): ThroughputChange[] {
    for (const sample of samples) this.record(sample, now);
    for (const [k, s] of this.series) {
      if (now - s.seenAt > REFERENCE_WINDOW_MS) this.series.delete(k);
      else if (s.frozen !== null && !this.weak.has(s.path) && this.probationOver(s.path, now))
        s.frozen = null;
    }
    const changes: ThroughputChange[] = [];
    const paths = new Set([...this.series.values()].map((s) => s.path).concat([...this.weak.keys()]));
    for (const path of paths) {
      const change = this.weak.has(path) ? this.recovery(path, now) : this.weakness(path, now);
      if (change) changes.push(change);
    }
    return changes;
  }

  /**
   * The path is weak by other evidence (a probe waited behind a deep queue while bytes still
   * arrive): held so from now on, and back only by the same rules (a strong download, probation).
   */
  markWeak(path: string, now: number): void {
    const weakness = this.weak.get(path);
    if (weakness) {
      weakness.busyAt = now;
      return;
    }
    this.weaken(path, now);
  }

  isWeak(path: string): boolean {
    return this.weak.has(path);
  }

  forget(path: string): void {
    this.weak.delete(path);
    for (const [k, s] of this.series) if (s.path === path) this.series.delete(k);
  }

  private record(sample: TransferSample, now: number): void {
    const k = key(sample.transferId, sample.path);
    const s = this.series.get(k) ?? {
      transferId: sample.transferId,
      path: sample.path,
      samples: [],
      frozen: null,
      lowSince: null,
      highSince: null,
      rate: 0,
      busy: false,
      seenAt: now,
    };
    this.series.set(k, s);
    s.seenAt = now;
    s.rate = sample.rate;
    s.busy = sample.busy;
    const weakness = this.weak.get(sample.path);
    if (weakness && sample.busy) weakness.busyAt = now;
    if (!sample.busy) {
      s.lowSince = null;
      s.highSince = null;
      return;
    }
    s.samples = s.samples.filter((x) => now - x.t <= REFERENCE_WINDOW_MS);
    s.samples.push({ t: now, rate: sample.rate });
    const ref = reference(s);
    if (ref < MIN_REFERENCE_BPS) {
      s.lowSince = null;
      s.highSince = null;
      return;
    }
    s.lowSince = sample.rate < ref * DEGRADED_RATE_FRACTION ? (s.lowSince ?? now) : null;
    s.highSince = sample.rate >= ref * RECOVERED_RATE_FRACTION ? (s.highSince ?? now) : null;
  }

  private weakness(path: string, now: number): ThroughputChange | null {
    for (const s of this.series.values()) {
      if (s.path !== path || !s.busy || s.lowSince === null || now - s.lowSince < DEGRADED_AFTER_MS) continue;
      if (this.serverSlowed(s)) continue;
      const ref = reference(s);
      this.weaken(path, now);
      return {
        path,
        weak: true,
        reason: `Slow: a download gets ${formatRate(s.rate)} over ${path}, under ${fraction(DEGRADED_RATE_FRACTION)} of the ${formatRate(ref)} it got in the last minute.`,
      };
    }
    return null;
  }

  /** Weak from now: each download's yardstick on the path held still; probation doubled on a relapse. */
  private weaken(path: string, now: number): void {
    const previous = this.probations.get(path);
    const relapse = previous && now - previous.at <= PROBATION_RELAPSE_MS;
    const probationMs = relapse ? Math.min(PROBATION_MAX_MS, previous.ms * 2) : PROBATION_FIRST_MS;
    this.weak.set(path, { since: now, busyAt: now, probationMs });
    for (const other of this.series.values()) if (other.path === path) other.frozen = reference(other);
  }

  private probationOver(path: string, now: number): boolean {
    const probation = this.probations.get(path);
    return !probation || now - probation.at > PROBATION_RELAPSE_MS;
  }

  /** The same download's other busy paths fell just as far: its server slowed, not this path. */
  private serverSlowed(s: Series): boolean {
    const siblings = [...this.series.values()].filter(
      (o) =>
        o.transferId === s.transferId && o.path !== s.path && o.busy && reference(o) >= MIN_REFERENCE_BPS,
    );
    return siblings.length > 0 && siblings.every((o) => o.lowSince !== null);
  }

  private recovery(path: string, now: number): ThroughputChange | null {
    const weakness = this.weak.get(path) as Weakness;
    const strong = [...this.series.values()].find(
      (s) => s.path === path && s.busy && s.highSince !== null && now - s.highSince >= RECOVERED_AFTER_MS,
    );
    let reason: string | undefined;
    if (strong) {
      reason = `A download gets ${formatRate(strong.rate)} over ${path} again.`;
    } else if (now - weakness.busyAt >= weakness.probationMs) {
      reason = `Given work again on probation after ${Math.round(weakness.probationMs / 1000)} s without any.`;
      this.probations.set(path, { at: now, ms: weakness.probationMs });
    }
    if (reason === undefined) return null;
    if (strong) this.probations.delete(path);
    this.weak.delete(path);
    for (const s of this.series.values()) {
      if (s.path !== path) continue;
      // On probation the yardstick stays, so a relapse is measured against what the path did before.
      if (strong) s.frozen = null;
      s.lowSince = null;
    }
    return { path, weak: false, reason };
  }
}

/** The best 1 s rate a download got on the path in the window, or the yardstick held while weak. */
function reference(s: Series): number {
  if (s.frozen !== null) return s.frozen;
  return s.samples.reduce((m, x) => Math.max(m, x.rate), 0);
}

function fraction(f: number): string {
  return f < 1 && Number.isInteger(1 / f) ? `1/${1 / f}` : `${Math.round(f * 100)}%`;
}
