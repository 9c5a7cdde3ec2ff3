import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../common/contract.ts';
import {
  syncErrorCause,
  type SyncJobInfo,
  type SyncProgress,
  type SyncRunInfo,
} from '../../common/syncContract.ts';
import { cycleAt } from '../ledger/calendar.ts';
import { secretState } from './jobSecrets.ts';
import type { SyncJob } from './SyncJobs.ts';
import { JOURNAL_FILE, SyncJournal, type RunRecord } from './SyncJournal.ts';

/** The URL as it may be shown: a user or password written into it is left out. */
export function publicUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

export function runInfo(record: RunRecord): SyncRunInfo {
  const { errorCode, errorMessage, ...rest } = record;
  return {
    startedAt: rest.startedAt,
    finishedAt: rest.finishedAt,
    ok: rest.ok,
    uploaded: rest.uploaded,
    downloaded: rest.downloaded,
    deleted: rest.deleted,
    conflicts: rest.conflicts,
    error:
      errorCode === null
        ? null
        : { code: errorCode, message: errorMessage ?? errorCode, cause: syncErrorCause(errorCode) },
  };
}

/** What the journal knows of a job: its last run and its bytes per path this billing cycle. */
export interface JournalFacts {
  lastRun: SyncRunInfo | null;
  cycleBytes: Record<string, { rx: number; tx: number }>;
}

/** Each path's bytes from the start of its plan's cycle (else the calendar month). */
export function cycleBytes(
  journal: SyncJournal,
  plans: Record<string, Plan>,
  now: number,
): Record<string, { rx: number; tx: number }> {
  const monthStart = cycleAt(null, now).start;
  const byStart = new Map<number, Map<string, { rx: number; tx: number }>>();
  const since = (start: number) => {
    let rows = byStart.get(start);
    if (!rows) byStart.set(start, (rows = journal.usageSince(start)));
    return rows;
  };
  const out: Record<string, { rx: number; tx: number }> = {};
  for (const path of since(monthStart).keys()) {
    const plan = plans[path];
    const row = since(plan ? cycleAt(plan, now).start : monthStart).get(path);
    if (row && row.rx + row.tx > 0) out[path] = row;
  }
  return out;
}

/**
 * Reads the facts from a job's journal, opened for the moment (or `open`, the running session's);
 * a job that never ran has none, and no journal is created for it.
 */
export function readFacts(
  journalDir: string,
  plans: Record<string, Plan>,
  now: number,
  open?: SyncJournal,
): JournalFacts {
  if (!open && !existsSync(join(journalDir, JOURNAL_FILE))) return { lastRun: null, cycleBytes: {} };
  const journal = open ?? new SyncJournal(journalDir);
  try {
    const last = journal.lastRuns(1)[0];
    return { lastRun: last ? runInfo(last) : null, cycleBytes: cycleBytes(journal, plans, now) };
  } finally {
    if (!open) journal.close();
  }
}

export interface LiveFacts {
  running: boolean;
  progress: SyncProgress | null;
  waitingFor: string | null;
  nextRunAt: number | null;
}

export function jobInfo(
  job: SyncJob,
  facts: JournalFacts,
  live: LiveFacts,
  /** Why sealed passwords cannot be opened now (jobSecrets.keyringProblem); null: they can. */
  keyring: string | null,
): SyncJobInfo {
  const last = facts.lastRun;
  const state: SyncJobInfo['state'] = job.paused
    ? 'paused'
    : live.running
      ? 'running'
      : live.waitingFor !== null
        ? 'waiting'
        : last === null
          ? 'never-run'
          : last.ok
            ? 'in-step'
            : 'failed';
  return {
    name: job.name,
    local: job.local,
    remote: publicUrl(job.remote),
    user: job.user,
    everyMinutes: job.everyMinutes,
    onPathChange: job.onPathChange,
    policy: job.policy,
    paths: job.paths,
    rateBps: job.rateBps,
    batteryMinPercent: job.batteryMinPercent,
    paused: job.paused,
    state,
    waitingFor: state === 'waiting' ? live.waitingFor : null,
    lastRun: last,
    nextRunAt: job.paused ? null : live.nextRunAt,
    progress: live.running ? live.progress : null,
    cycleBytes: facts.cycleBytes,
    password: secretState(job, keyring),
  };
}
