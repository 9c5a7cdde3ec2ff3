/**
 * Bytes per second over a sliding window, kept in fixed buckets so adding a sample is O(1) on the
 * hot path (every body chunk) and reading the rate is cheap.
 */
export class RateMeter {
  private readonly bucketMs: number;
  private readonly buckets: Float64Array;
  private head = 0;
  private headStart = 0;
  private firstAt: number | null = null;

  constructor(windowMs = 2000, bucketMs = 100) {
    this.bucketMs = bucketMs;
    this.buckets = new Float64Array(Math.max(1, Math.round(windowMs / bucketMs)));
  }

  private advance(now: number): void {
    const n = this.buckets.length;
    if (this.firstAt === null) {
      this.headStart = now - (now % this.bucketMs);
      return;
    }
    let steps = Math.floor((now - this.headStart) / this.bucketMs);
    if (steps <= 0) return;
    if (steps >= n) {
      this.buckets.fill(0);
      this.headStart += steps * this.bucketMs;
      return;
    }
    while (steps-- > 0) {
      this.head = (this.head + 1) % n;
      this.buckets[this.head] = 0;
      this.headStart += this.bucketMs;
    }
  }

  add(bytes: number, now: number): void {
    this.advance(now);
    if (this.firstAt === null) this.firstAt = now;
    this.buckets[this.head] = (this.buckets[this.head] ?? 0) + bytes;
  }

  /**
   * Rate over the window, or over the time since the first sample when that is shorter (so a
   * young connection is not underestimated); 0 before any sample.
   */
  rate(now: number): number {
    if (this.firstAt === null) return 0;
    this.advance(now);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    // The newest bucket is still filling: the window spans the full older buckets plus its part.
    const windowMs = (this.buckets.length - 1) * this.bucketMs + (now - this.headStart);
    const span = Math.max(this.bucketMs / 2, Math.min(windowMs, now - this.firstAt));
    return (sum * 1000) / span;
  }

  /** Milliseconds since the first sample (0 before any). */
  age(now: number): number {
    return this.firstAt === null ? 0 : now - this.firstAt;
  }

  reset(): void {
    this.buckets.fill(0);
    this.firstAt = null;
  }
}
