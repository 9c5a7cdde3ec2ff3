/**
 * A set of byte offsets kept as sorted, disjoint, half-open intervals [start, end). The engine uses
 * it for what is on disk, what is still unassigned and what the journal records.
 */
export type Range = readonly [start: number, end: number];

export class RangeSet {
  private ranges: Array<[number, number]> = [];
  private total = 0;

  constructor(ranges: Iterable<Range> = []) {
    for (const [start, end] of ranges) this.add(start, end);
  }

  static of(start: number, end: number): RangeSet {
    const set = new RangeSet();
    set.add(start, end);
    return set;
  }

  get size(): number {
    return this.total;
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  get count(): number {
    return this.ranges.length;
  }

  /** The intervals, lowest first (a copy). */
  toArray(): Range[] {
    return this.ranges.map(([s, e]) => [s, e] as const);
  }

  clone(): RangeSet {
    const copy = new RangeSet();
    copy.ranges = this.ranges.map(([s, e]) => [s, e]);
    copy.total = this.total;
    return copy;
  }

  first(): Range | undefined {
    const r = this.ranges[0];
    return r ? [r[0], r[1]] : undefined;
  }

  /** Index of the first interval whose end is >= offset. */
  private lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ranges[mid] as [number, number])[1] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const i = this.lowerBound(start);
    let s = start;
    let e = end;
    let j = i;
    while (j < this.ranges.length && (this.ranges[j] as [number, number])[0] <= e) {
      const r = this.ranges[j] as [number, number];
      s = Math.min(s, r[0]);
      e = Math.max(e, r[1]);
      this.total -= r[1] - r[0];
      j++;
    }
    this.ranges.splice(i, j - i, [s, e]);
    this.total += e - s;
  }

  remove(start: number, end: number): void {
    if (end <= start) return;
    const i = this.lowerBound(start + 1);
    const replacement: Array<[number, number]> = [];
    let j = i;
    while (j < this.ranges.length && (this.ranges[j] as [number, number])[0] < end) {
      const r = this.ranges[j] as [number, number];
      this.total -= r[1] - r[0];
      if (r[0] < start) replacement.push([r[0], start]);
      if (r[1] > end) replacement.push([end, r[1]]);
      j++;
    }
    for (const [s, e] of replacement) this.total += e - s;
    this.ranges.splice(i, j - i, ...replacement);
  }

  addSet(other: RangeSet): void {
    for (const [s, e] of other.ranges) this.add(s, e);
  }

  removeSet(other: RangeSet): void {
    for (const [s, e] of other.ranges) this.remove(s, e);
  }

  /** True when every offset of [start, end) is in the set. */
  covers(start: number, end: number): boolean {
    if (end <= start) return true;
    const r = this.ranges[this.lowerBound(start + 1)];
    return r !== undefined && r[0] <= start && r[1] >= end;
  }

  /** How many offsets of [start, end) are in the set. */
  overlap(start: number, end: number): number {
    let n = 0;
    for (let i = this.lowerBound(start + 1); i < this.ranges.length; i++) {
      const r = this.ranges[i] as [number, number];
      if (r[0] >= end) break;
      n += Math.min(end, r[1]) - Math.max(start, r[0]);
    }
    return n;
  }

  /** The end of the interval that starts at 0 (how much of the file is contiguous from the start). */
  prefixEnd(): number {
    const r = this.ranges[0];
    return r && r[0] === 0 ? r[1] : 0;
  }

  /**
   * Remove and return up to `length` bytes from the lowest interval (never spanning a hole), or
   * undefined when empty.
   */
  takeFirst(length: number): Range | undefined {
    const r = this.ranges[0];
    if (!r || length <= 0) return undefined;
    const end = Math.min(r[1], r[0] + length);
    const taken: Range = [r[0], end];
    this.remove(taken[0], taken[1]);
    return taken;
  }

  /** The offsets that are in both sets. */
  intersect(other: RangeSet): RangeSet {
    const result = new RangeSet();
    let j = 0;
    for (const [s, e] of this.ranges) {
      while (j < other.ranges.length && (other.ranges[j] as [number, number])[1] <= s) j++;
      for (let k = j; k < other.ranges.length; k++) {
        const o = other.ranges[k] as [number, number];
        if (o[0] >= e) break;
        result.add(Math.max(s, o[0]), Math.min(e, o[1]));
      }
    }
    return result;
  }

  /** The parts of [start, end) that are not in the set. */
  gapsIn(start: number, end: number): Range[] {
    const gaps: Range[] = [];
    let cursor = start;
    for (let i = this.lowerBound(start + 1); i < this.ranges.length && cursor < end; i++) {
      const r = this.ranges[i] as [number, number];
      if (r[0] >= end) break;
      if (r[0] > cursor) gaps.push([cursor, r[0]]);
      cursor = Math.max(cursor, r[1]);
    }
    if (cursor < end) gaps.push([cursor, end]);
    return gaps;
  }

  equals(other: RangeSet): boolean {
    if (other.ranges.length !== this.ranges.length) return false;
    return this.ranges.every(([s, e], i) => {
      const o = other.ranges[i] as [number, number];
      return o[0] === s && o[1] === e;
    });
  }
}
