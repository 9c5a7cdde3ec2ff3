import { RangeSet, type Range } from './RangeSet.ts';

/** A range being fetched, as the planner sees it. */
export interface PlannedFetch {
  /** The path it runs on. */
  readonly lane: string;
  readonly start: number;
  /** Next byte this fetch will receive. */
  readonly pos: number;
  /** Exclusive end; a steal may lower it. */
  readonly end: number;
  /** Part of a duplicated pair (the endgame): neither side is split or duplicated again. */
  readonly paired: boolean;
  /** Measured receive rate in bytes/s; 0 when not known yet. */
  rate(now: number): number;
  /** Milliseconds since this fetch last made progress (or started). */
  silentFor(now: number): number;
}

/** What the planner needs to know about the connection asking for work. */
export interface Asker {
  /** The path the connection belongs to. */
  lane: string;
  /** Expected rate of one connection on this path in bytes/s; 0 when unmeasured. */
  rate: number;
  rttMs: number;
  /** Bytes this path may still be promised (caps); null when unlimited. */
  allowance: number | null;
  /** Ranges this many times longer than the rate says: a server pushed back (ServerPushback). */
  scale?: number;
}

export type Assignment<F extends PlannedFetch> =
  | { kind: 'fresh'; start: number; end: number }
  | { kind: 'steal'; start: number; end: number; victim: F }
  | { kind: 'duplicate'; start: number; end: number; victim: F };

export interface PlannerOptions {
  /** A chunk is sized to take about this long at the connection's measured rate. */
  chunkMs: number;
  initialChunk: number;
  minChunk: number;
  maxChunk: number;
  /** Steals smaller than this are not worth a new request. */
  minSteal: number;
  /** A steal or duplicate must save at least this much time. */
  marginMs: number;
  /**
   * Two connections of one path share its bottleneck: a steal between them moves no bytes faster
   * and throws away what was in flight for the victim (its answer is cut short). Only a victim
   * with at least this long to go is split, for servers that limit each connection's speed.
   */
  sameLaneStealMs: number;
}

export const DEFAULT_PLANNER: PlannerOptions = {
  chunkMs: 2000,
  initialChunk: 1 << 20,
  minChunk: 256 << 10,
  maxChunk: 32 << 20,
  minSteal: 64 << 10,
  marginMs: 150,
  sameLaneStealMs: 4000,
};

/**
 * Decides which bytes each connection fetches next. Fresh work comes from the lowest unassigned
 * offset in chunks sized from the asking connection's measured rate (so every chunk takes about
 * the same time on every path). When nothing is unassigned, an idle connection steals the tail of
 * the range that would finish last, split so both finish together; when splitting can't help (the
 * range is short or its connection has gone quiet) it duplicates the remainder — the endgame, so
 * a slow path never holds the end of the download.
 */
export class RangePlanner<F extends PlannedFetch> {
  readonly size: number;
  readonly unassigned: RangeSet;
  /**
   * The most a server answers a range with (a server that caps range sizes: ServedFile.rangeCap);
   * no chunk or steal is planned larger. Null when it answers any size.
   */
  serverCap: number | null = null;
  private readonly options: PlannerOptions;
  /**
   * Ranges taken over from a failed path: handed out before anything else; one the server answered
   * wrongly on a path goes to another path first, while `until` lasts (the one path may be to blame).
   */
  private urgent: Urgent[] = [];

  constructor(size: number, done: RangeSet, options: Partial<PlannerOptions> = {}) {
    this.size = size;
    this.options = { ...DEFAULT_PLANNER, ...options };
    this.unassigned = RangeSet.of(0, size);
    this.unassigned.removeSet(done);
  }

  chunkFor(rate: number): number {
    const { chunkMs, initialChunk, minChunk, maxChunk } = this.options;
    const chunk =
      rate <= 0 ? initialChunk : Math.min(maxChunk, Math.max(minChunk, Math.round((rate * chunkMs) / 1000)));
    return Math.min(chunk, this.serverCap ?? Number.POSITIVE_INFINITY);
  }

  /** A fresh chunk for `asker`: its rate's, times its scale, within the same limits. */
  private scaledChunk(asker: Asker): number {
    const chunk = this.chunkFor(asker.rate);
    const scale = asker.scale ?? 1;
    if (scale <= 1) return chunk;
    return Math.min(
      chunk * scale,
      Math.max(chunk, this.options.maxChunk),
      this.serverCap ?? Number.POSITIVE_INFINITY,
    );
  }

  /** True while ranges left by a failed path are still waiting for a connection. */
  get hasUrgent(): boolean {
    this.urgent = this.urgent.filter(({ range: [s, e] }) => this.unassigned.overlap(s, e) > 0);
    return this.urgent.length > 0;
  }

  /** Work for one connection, or null when there is nothing worth doing right now. */
  next(asker: Asker, live: Iterable<F>, now: number): Assignment<F> | null {
    const cap = asker.allowance ?? Number.POSITIVE_INFINITY;
    if (cap <= 0) return null;
    if (!this.unassigned.isEmpty) {
      const length = Math.min(cap, this.scaledChunk(asker));
      const range = this.takeUrgent(length, asker.lane, now) ?? this.takeFresh(length, asker.lane, now);
      return range ? { kind: 'fresh', start: range[0], end: range[1] } : null;
    }
    if (asker.rate <= 0) return null;
    return this.stealOrDuplicate(asker, cap, live, now);
  }

  private takeUrgent(length: number, lane: string, now: number): Range | undefined {
    for (let i = 0; i < this.urgent.length;) {
      const urgent = this.urgent[i] as Urgent;
      if (avoids(urgent, lane, now)) {
        i++;
        continue;
      }
      this.urgent.splice(i, 1);
      const gap = this.unassigned.intersect(RangeSet.of(...urgent.range)).first();
      if (!gap) continue;
      // Once a failed range moves again the rest of it is ordinary work: the next connection
      // starts the next failed range, so every one of them resumes at once.
      const end = Math.min(gap[1], gap[0] + length);
      this.unassigned.remove(gap[0], end);
      return [gap[0], end];
    }
    return undefined;
  }

  /** The lowest unassigned bytes, except those kept for another path than `lane` (see prioritize). */
  private takeFresh(length: number, lane: string, now: number): Range | undefined {
    const kept = this.urgent.filter((u) => avoids(u, lane, now));
    if (kept.length === 0) return this.unassigned.takeFirst(length);
    const free = this.unassigned.clone();
    for (const { range } of kept) free.remove(...range);
    const range = free.takeFirst(length);
    if (range) this.unassigned.remove(...range);
    return range;
  }

  private stealOrDuplicate(asker: Asker, cap: number, live: Iterable<F>, now: number): Assignment<F> | null {
    const { minSteal, marginMs, sameLaneStealMs } = this.options;
    const rtt = asker.rttMs / 1000;
    let victim: F | undefined;
    let victimEta = 0;
    for (const f of live) {
      if (f.paired || f.end <= f.pos) continue;
      const rate = f.rate(now);
      // A fetch that has not shown its speed yet is judged only once it has been quiet a while.
      if (rate <= 0 && f.silentFor(now) < Math.max(500, 3 * asker.rttMs)) continue;
      const eta = rate > 0 ? (f.end - f.pos) / rate : Number.POSITIVE_INFINITY;
      if (eta > victimEta) {
        victim = f;
        victimEta = eta;
      }
    }
    if (!victim) return null;
    const remaining = victim.end - victim.pos;
    const thiefRate = asker.rate;
    const victimRate = victim.rate(now);
    const margin = marginMs / 1000;
    // On one path only a quiet connection is raced, and only a long range is split (see sameLaneStealMs).
    const sameLane = victim.lane === asker.lane;
    if (victimRate > 0 && (!sameLane || victimEta * 1000 >= sameLaneStealMs)) {
      // Split so both finish together: x/thief + rtt = (remaining - x)/victim.
      const share = (remaining / victimRate - rtt) / (1 / thiefRate + 1 / victimRate);
      const x = Math.floor(Math.min(share, cap, this.serverCap ?? Number.POSITIVE_INFINITY));
      if (x >= minSteal && victimEta > rtt + margin) {
        return { kind: 'steal', start: victim.end - x, end: victim.end, victim };
      }
    }
    if (sameLane && victimRate > 0) return null;
    if (victimEta > rtt + remaining / thiefRate + margin && remaining <= cap) {
      return { kind: 'duplicate', start: victim.pos, end: victim.end, victim };
    }
    return null;
  }

  /**
   * Ranges a failed path left behind: the next connections take these first. With `avoid`, a
   * connection of that path takes none of it until `avoid.until` (performance.now()): another
   * path tries first (the server answered it wrongly there), and after that any path may.
   */
  prioritize(start: number, end: number, avoid?: { lane: string; until: number }): void {
    this.urgent.push({ range: [start, end], avoid: avoid?.lane ?? null, until: avoid?.until ?? 0 });
  }

  /**
   * A fetch ended before its end (failure, abort, a path switch): whatever of [pos, end) is not on
   * disk and not being fetched by another connection goes back to the pool.
   */
  release(fetch: F, live: Iterable<F>, done: RangeSet): Range[] {
    return this.giveBack(fetch.pos, fetch.end, live, done, fetch);
  }

  /**
   * [start, end) is no fetch's to finish any more (a server answered less than asked): whatever of
   * it is not on disk and not being fetched by another connection (than `except`) goes back to the pool.
   */
  giveBack(start: number, end: number, live: Iterable<F>, done: RangeSet, except?: F): Range[] {
    const back = RangeSet.of(start, end);
    back.removeSet(done);
    for (const other of live) if (other !== except) back.remove(other.pos, other.end);
    this.unassigned.addSet(back);
    return back.toArray();
  }

  /** Forget everything (the file changed on the server and starts over). */
  reset(done: RangeSet): void {
    this.unassigned.remove(0, Number.MAX_SAFE_INTEGER);
    this.unassigned.add(0, this.size);
    this.unassigned.removeSet(done);
    this.urgent = [];
  }
}

interface Urgent {
  range: Range;
  /** A path that takes none of it before `until` (prioritize). */
  avoid: string | null;
  until: number;
}

function avoids(urgent: Urgent, lane: string, now: number): boolean {
  return urgent.avoid === lane && now < urgent.until;
}
