import { UNLIMITED, type BudgetProvider, type PathBudget } from '../base/budget.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * What every transfer together may still spend on each path: the ledger's budget (plan caps, at-cap
 * rate limits) less the bytes already promised to ranges in flight. One instance is shared by all
 * transfers, so two downloads can't each spend the same remaining cellular megabytes.
 */
export class PathLimits {
  private budget: BudgetProvider;
  private readonly reserved = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly cached = new Map<string, { budget: PathBudget; at: number }>();

  constructor(budget: BudgetProvider = UNLIMITED) {
    this.budget = budget;
  }

  /** Switch to another budget (the ledger plugs in once it is open). */
  use(budget: BudgetProvider): void {
    this.budget = budget;
    this.cached.clear();
  }

  private budgetFor(path: string, now: number): PathBudget {
    const hit = this.cached.get(path);
    // The ledger is asked at most every 250 ms: the body hot path must not query a database.
    if (hit && now - hit.at < 250) return hit.budget;
    const budget = this.budget.budgetFor(path);
    this.cached.set(path, { budget, at: now });
    return budget;
  }

  /** Bytes the plan still allows on `path` (not counting reservations); null when unlimited. */
  remaining(path: string, now = performance.now()): number | null {
    return this.budgetFor(path, now).remainingBytes;
  }

  /** Bytes that may still be promised to new ranges on `path`; null when unlimited. */
  allowance(path: string, now = performance.now()): number | null {
    const remaining = this.remaining(path, now);
    if (remaining === null) return null;
    return Math.max(0, remaining - (this.reserved.get(path) ?? 0));
  }

  reserve(path: string, bytes: number): void {
    this.reserved.set(path, (this.reserved.get(path) ?? 0) + bytes);
  }

  /** Bytes promised earlier are no longer held: they were not needed, or the ledger has counted them. */
  release(path: string, bytes: number): void {
    this.reserved.set(path, Math.max(0, (this.reserved.get(path) ?? 0) - bytes));
    // The budget read before may not include bytes the ledger just counted.
    this.cached.delete(path);
  }

  /** The rate limit on `path` in bytes per second; null when none. */
  rateLimit(path: string, now = performance.now()): number | null {
    return this.budgetFor(path, now).rateLimitBps;
  }

  /**
   * Counts `bytes` just read on `path` against its rate limit and says how long to stop reading
   * (ms) so the average stays at the limit; TCP flow control then slows the sender.
   */
  throttle(path: string, bytes: number, now: number): number {
    const rate = this.rateLimit(path, now);
    if (rate === null || rate <= 0) {
      this.buckets.delete(path);
      return 0;
    }
    const burst = Math.max(16 * 1024, rate * 0.1);
    const bucket = this.buckets.get(path) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * rate) / 1000) - bytes;
    bucket.at = now;
    this.buckets.set(path, bucket);
    return bucket.tokens >= 0 ? 0 : (-bucket.tokens * 1000) / rate;
  }
}
