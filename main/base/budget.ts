/**
 * What the engine may spend on a path, decided by the ledger (plans, caps, cycle usage) and asked
 * for by the engine before it hands a path more work. Lives in core so neither side imports the other.
 */
export interface PathBudget {
  /** Bytes still allowed on this path in the current cycle; null means no cap. */
  remainingBytes: number | null;
  /** A rate limit in bytes per second (plan at-cap action 'rate-limit'); null means none. */
  rateLimitBps: number | null;
}

export interface BudgetProvider {
  budgetFor(path: string): PathBudget;
}

export const UNLIMITED: BudgetProvider = {
  budgetFor: () => ({ remainingBytes: null, rateLimitBps: null }),
};

/** Payload bytes the engine moved on one path, reported as they arrive (batched), for the ledger. */
export interface PathBytesEvent {
  transferId: string;
  path: string;
  direction: 'down' | 'up';
  bytes: number;
  at: number;
}
