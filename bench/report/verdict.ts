/**
 * How a target is judged from repeated runs: each run ends ok or with the reason it failed, the
 * rounds are compared by their medians, and a comparison with a failed aria2 run is left
 * undecided, never counted as a win for Pathwise.
 */
import { median } from '../measure.ts';
import type { Target, Verdict } from './ScenarioResult.ts';
import { fmt } from './table.ts';

/** One timed run of a tool: its seconds, and why it failed (null when it exited 0 with the right bytes). */
export interface RunOutcome {
  seconds: number;
  failure: string | null;
}

/** A tool's rounds: the median time, and every round's failure (labelled by round). */
export interface Rounds {
  seconds: number;
  failures: string[];
  runs: number[];
}

export function ofRounds(runs: RunOutcome[]): Rounds {
  return {
    seconds: median(runs.map((r) => r.seconds)),
    failures: runs.flatMap((r, i) => (r.failure ? [`round ${i + 1}: ${r.failure}`] : [])),
    runs: runs.map((r) => r.seconds),
  };
}

export function judged(met: boolean): Verdict {
  return met ? 'MET' : 'MISS';
}

/**
 * Pathwise's time against aria2's (medians; lower wins). Pathwise failing any round is a miss;
 * aria2 failing any round (while Pathwise did not) leaves the comparison UNDECIDED.
 */
export function fasterThanAria2(target: string, pw: Rounds, aria: Rounds): Target {
  if (pw.failures.length > 0)
    return { target, value: `pathwise failed (${pw.failures.join('; ')})`, verdict: 'MISS' };
  if (aria.failures.length > 0)
    return { target, value: `aria2 failed (${aria.failures.join('; ')})`, verdict: 'UNDECIDED' };
  return {
    target,
    value: `${fmt(pw.seconds)} vs ${fmt(aria.seconds)} s`,
    verdict: judged(pw.seconds <= aria.seconds),
  };
}

/** A row's `ok` cell: true, or the failures in short. */
export function okCell(rounds: Rounds): true | string {
  return rounds.failures.length === 0 ? true : `FAILED ${rounds.failures.join('; ')}`;
}
