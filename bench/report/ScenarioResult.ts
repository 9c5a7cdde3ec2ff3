/** What a scenario hands back: printed as a table (report/table.ts) and written to bench/results/. */

/** One line of a scenario's table: the column names are its keys, in the order first seen. */
export type Row = Record<string, string | number | boolean | null>;

/**
 * MET or MISS; UNDECIDED when the yardstick itself failed (aria2 exited non-zero, timed out or
 * wrote the wrong bytes): a comparison with a failed run proves nothing either way.
 */
export type Verdict = 'MET' | 'MISS' | 'UNDECIDED';

export interface Target {
  /** The goal in words, with its threshold. */
  target: string;
  /** What this run measured against it. */
  value: string;
  verdict: Verdict;
}

export interface ScenarioResult {
  scenario: string;
  /** The lab in words: paths, their rates, the fault. */
  lab: string;
  rows: Row[];
  /** The raw figures (unrounded), for the JSON. */
  figures: Record<string, number | string | boolean | null>;
  targets: Target[];
}
