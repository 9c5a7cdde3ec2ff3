import type { Battery, PathInfo, Plan } from '../../common/contract.ts';
import type { BudgetProvider } from '../base/budget.ts';
import { enginePathsFrom, type EnginePath } from '../engine/EnginePath.ts';
import { cycleAt } from '../ledger/calendar.ts';
import type { SyncJob } from './SyncJobs.ts';
import type { SyncJournal } from './SyncJournal.ts';

/**
 * Which paths a job may use now: its named paths (or the policy's usual ones), less every metered
 * path when the policy is `unmetered`. A path the policy forbids is not handed to the engine or
 * the WebDAV client at all, so it carries none of the job's bytes.
 */
export function allowedPaths(job: SyncJob, paths: readonly PathInfo[]): EnginePath[] {
  const metered = new Set(paths.filter((p) => p.metered).map((p) => p.name));
  const engine = enginePathsFrom(paths, job.paths ?? undefined);
  return job.policy.kind === 'unmetered' ? engine.filter((p) => !metered.has(p.name)) : engine;
}

export interface AllowanceSources {
  job: SyncJob;
  journal: SyncJournal;
  paths: () => readonly PathInfo[];
  plans: () => Record<string, Plan>;
  /** The ledger's budget (a plan's `stop` cap); absent: none. */
  budget?: BudgetProvider;
  /** Bytes the job moved on a path that are not in its journal yet (the running run's). */
  unbooked?: (path: string) => number;
  now?: () => number;
}

/**
 * What the job may still spend on a path: on a metered path under a `cellular` policy, its
 * allowance less what the job spent this billing cycle (the path's plan's cycle, else the
 * calendar month); and never more than the ledger's cap leaves. null: no limit.
 */
export function allowanceFor(sources: AllowanceSources): (path: string) => number | null {
  return (path) => {
    const now = sources.now?.() ?? Date.now();
    const info = sources.paths().find((p) => p.name === path);
    let left: number | null = null;
    if (info?.metered && sources.job.policy.kind === 'cellular' && sources.job.policy.meteredBytes !== null) {
      const cycle = cycleAt(sources.plans()[path] ?? null, now);
      const used = sources.journal.usageSince(cycle.start).get(path);
      const spent = (used ? used.rx + used.tx : 0) + (sources.unbooked?.(path) ?? 0);
      left = Math.max(0, sources.job.policy.meteredBytes - spent);
    }
    const capped = sources.budget?.budgetFor(path).remainingBytes ?? null;
    if (capped !== null) left = left === null ? capped : Math.min(left, capped);
    return left;
  };
}

/**
 * The engine's budget for the job's downloads: what the job may still spend on each path (its
 * allowance, the ledger's cap within it; the engine reserves ranges in flight against it, so
 * downloads side by side can't each spend the same megabytes), and the ledger's at-cap rate
 * limit with the job's own shared over its paths.
 */
export function jobBudget(
  allowance: (path: string) => number | null,
  budget: BudgetProvider | undefined,
  rateBps: number | null,
  pathCount: () => number,
): BudgetProvider {
  return {
    budgetFor: (path) => {
      const ledgerRate = budget?.budgetFor(path).rateLimitBps ?? null;
      const share = rateBps === null ? null : rateBps / Math.max(1, pathCount());
      const rate = ledgerRate === null ? share : share === null ? ledgerRate : Math.min(ledgerRate, share);
      return { remainingBytes: allowance(path), rateLimitBps: rate };
    },
  };
}

/**
 * Why the battery keeps a job from starting on its schedule: on battery (not charging, no mains)
 * below the job's floor. null: it may start (no floor, no battery, or charging).
 */
export function batteryBlocks(job: SyncJob, battery: Battery | null): string | null {
  const floor = job.batteryMinPercent;
  if (floor === null || !battery?.present || battery.percent === null) return null;
  if (battery.charging || battery.acConnected || battery.percent >= floor) return null;
  return `on battery at ${Math.round(battery.percent)} %, below the ${floor} % the job asks for`;
}
