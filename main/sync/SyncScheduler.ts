import type { Battery, PathInfo, Plan, SyncJobInfo, SyncRunInfo } from '../../common/contract.ts';
import { errorCode, errorMessage, PathwiseError } from '../../common/errors.ts';
import { syncErrorCause } from '../../common/syncContract.ts';
import { editJob, movesFolders, type JobChange } from './jobEdit.ts';
import { jobInfo, readFacts, type JournalFacts } from './jobInfo.ts';
import { keyringProblem } from './jobSecrets.ts';
import { lockRun } from './runLock.ts';
import type { SyncJob, SyncJobs } from './SyncJobs.ts';
import { allowedPaths, batteryBlocks } from './syncPolicy.ts';
import type { RunOutcome } from './SyncRunner.ts';
import type { SyncSession } from './SyncSession.ts';
import { usable } from './SyncPaths.ts';

/** How a run was asked for: by its schedule (which the battery rule holds back), or by hand. */
export type RunCause = 'schedule' | 'paths' | 'hand';

export interface SchedulerParts {
  jobs: SyncJobs;
  /**
   * A job's session: its credentials (opening a sealed password is asynchronous), its paths
   * under its policy, the ledger's caps and books.
   */
  open: (job: SyncJob, options: { force: boolean }) => SyncSession | Promise<SyncSession>;
  battery: () => Battery | null;
  paths: () => readonly PathInfo[];
  plans: () => Record<string, Plan>;
  /** Something the jobs' list shows changed. */
  changed: () => void;
  /** A run ended (not one stopped by a pause or by the app quitting). */
  ended?: (job: SyncJob, run: SyncRunInfo) => void;
  warn?: (message: string) => void;
  now?: () => number;
  /** How many jobs may run at once (default 2). */
  concurrency?: number;
}

interface Running {
  session: SyncSession;
  stop: AbortController;
  done: Promise<void>;
}

/** What the scheduler remembers of a job between its runs. */
interface Slot {
  running: Running | null;
  /** A run being started (its session opening); it counts as running. */
  starting: Promise<void> | null;
  facts: (JournalFacts & { at: number }) | null;
  waitingFor: string | null;
  /** A job waiting (battery, no path, busy elsewhere) is looked at again after this, or on a path change. */
  retryAt: number;
  /** The job's usable paths as last seen (names), for `onPathChange`. */
  pathsKey: string | null;
  pathChanged: boolean;
  /** Its folder pair is being changed: no run starts meanwhile. */
  editing: boolean;
}

const WAIT_RETRY_MS = 60_000;
const BUSY_RETRY_MS = 30_000;
const FACTS_TTL_MS = 30_000;

/**
 * Runs the sync jobs in the app: each on its schedule (`everyMinutes`, and when its paths change
 * if it asks for that), never two runs of one job at once (in this process; `run.lock` against
 * the command line's), under its policy — a scheduled run waits while the battery is below the
 * job's floor or no path it may use is up (or its allowance there is spent). Jobs come from
 * `jobs.json` (`reload` when another process changed it); the list for the UI is `list()`.
 */
export class SyncScheduler {
  private readonly parts: SchedulerParts;
  private jobs: SyncJob[] = [];
  private readonly slots = new Map<string, Slot>();
  private timer: NodeJS.Timeout | undefined;

  constructor(parts: SchedulerParts) {
    this.parts = parts;
  }

  /** How many jobs are running now. */
  get running(): number {
    return [...this.slots.values()].filter((s) => s.running || s.starting).length;
  }

  private now(): number {
    return this.parts.now?.() ?? Date.now();
  }

  start(intervalMs = 5000): void {
    this.reload();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and every run (downloads keep what they have for the next run). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.slots.values()].map((slot) => this.halt(slot)));
  }

  /** Reads `jobs.json` again: new jobs are scheduled, removed or paused ones stop running. */
  reload(): void {
    try {
      this.jobs = this.parts.jobs.list();
    } catch (error) {
      this.parts.warn?.(errorMessage(error));
      return;
    }
    const names = new Set(this.jobs.map((j) => j.name));
    for (const [name, slot] of this.slots) {
      if (!names.has(name)) {
        void this.halt(slot);
        this.slots.delete(name);
      }
    }
    for (const job of this.jobs) if (job.paused) void this.halt(this.slot(job.name));
    this.parts.changed();
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = {
        running: null,
        starting: null,
        facts: null,
        waitingFor: null,
        retryAt: 0,
        pathsKey: null,
        pathChanged: false,
        editing: false,
      };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private async halt(slot: Slot): Promise<void> {
    await slot.starting;
    const running = slot.running;
    if (!running) return;
    running.stop.abort();
    await running.session.stop().catch(() => undefined);
    await running.done;
  }

  /** The monitor's paths changed: running downloads follow at once; jobs that wait look again. */
  pathsChanged(): void {
    const paths = this.parts.paths();
    for (const job of this.jobs) {
      const slot = this.slot(job.name);
      slot.running?.session.updatePaths();
      slot.retryAt = 0;
      const key = allowedPaths(job, paths)
        .filter(usable)
        .map((p) => p.name)
        .sort()
        .join(',');
      if (slot.pathsKey !== null && key !== slot.pathsKey && key !== '' && job.onPathChange)
        slot.pathChanged = true;
      slot.pathsKey = key;
    }
    this.tick();
  }

  /** When the schedule starts the job next; null: by hand only (or on a path change). */
  nextRunAt(job: SyncJob): number | null {
    if (job.everyMinutes === null) return null;
    const last = this.facts(job).lastRun;
    return last === null ? job.createdAt : last.finishedAt + job.everyMinutes * 60_000;
  }

  /** Starts every job that is due and may run now. */
  tick(): void {
    const now = this.now();
    let running = this.running;
    for (const job of this.jobs) {
      if (running >= (this.parts.concurrency ?? 2)) return;
      const slot = this.slot(job.name);
      if (job.paused || busy(slot) || now < slot.retryAt) continue;
      const next = this.nextRunAt(job);
      const cause: RunCause | null = slot.pathChanged
        ? 'paths'
        : next !== null && now >= next
          ? 'schedule'
          : null;
      if (cause === null) continue;
      if (this.begin(job, cause, false)) running++;
    }
  }

  /** Runs a job now, as asked by hand (the battery rule is not applied). */
  async runNow(name: string, force = false): Promise<SyncJobInfo> {
    const job = this.parts.jobs.get(name);
    if (job.paused) {
      throw new PathwiseError('E_BUSY', `The sync job "${name}" is paused; resume it first.`);
    }
    this.reload();
    const slot = this.slot(name);
    if (slot.editing)
      throw new PathwiseError('E_BUSY', `The sync job "${name}" is being changed; run it in a moment.`);
    if (!slot.running && !slot.starting) this.begin(job, 'hand', force);
    await slot.starting;
    return this.info(name);
  }

  /**
   * Changes a job (jobEdit.ts); a new password is kept by the jobs' store (sealed where it can
   * be). Another folder pair is refused while the job runs, and starts a fresh journal. Other
   * changes reach a running run's next start.
   */
  async edit(name: string, change: JobChange, password?: string | null): Promise<SyncJobInfo> {
    const job = this.parts.jobs.get(name);
    const slot = this.slot(name);
    const moves = movesFolders(job, change);
    if (moves && busy(slot)) {
      throw new PathwiseError(
        'E_BUSY',
        `The sync job "${name}" is running: pause it, or let the run end, before changing its folders.`,
      );
    }
    slot.editing = moves;
    try {
      await editJob(this.parts.jobs, name, change);
      if (password !== undefined) await this.parts.jobs.setPassword(name, password);
    } finally {
      slot.editing = false;
      slot.facts = null;
    }
    this.reload();
    return this.info(name);
  }

  async pause(name: string): Promise<SyncJobInfo> {
    await this.parts.jobs.update(name, { paused: true });
    this.reload();
    await this.halt(this.slot(name));
    return this.info(name);
  }

  async resume(name: string): Promise<SyncJobInfo> {
    await this.parts.jobs.update(name, { paused: false });
    this.reload();
    this.tick();
    return this.info(name);
  }

  async remove(name: string): Promise<SyncJobInfo[]> {
    this.parts.jobs.get(name);
    await this.halt(this.slot(name));
    await this.parts.jobs.remove(name);
    this.reload();
    return this.list();
  }

  async list(): Promise<SyncJobInfo[]> {
    const keyring = await keyringProblem(this.parts.jobs.secrets);
    return this.jobs.map((job) => this.describe(job, keyring));
  }

  async info(name: string): Promise<SyncJobInfo> {
    const keyring = await keyringProblem(this.parts.jobs.secrets);
    return this.describe(this.jobs.find((j) => j.name === name) ?? this.parts.jobs.get(name), keyring);
  }

  private describe(job: SyncJob, keyring: string | null): SyncJobInfo {
    const slot = this.slot(job.name);
    return jobInfo(
      job,
      this.facts(job),
      {
        running: slot.running !== null || slot.starting !== null,
        progress: slot.running?.session.runner.progress() ?? null,
        waitingFor: slot.waitingFor,
        nextRunAt: this.nextRunAt(job),
      },
      keyring,
    );
  }

  private facts(job: SyncJob): JournalFacts {
    const slot = this.slot(job.name);
    const now = this.now();
    if (slot.facts && now - slot.facts.at < FACTS_TTL_MS && !slot.running) return slot.facts;
    try {
      const open = slot.running?.session.journal;
      const facts = readFacts(this.parts.jobs.journalDir(job.name), this.parts.plans(), now, open);
      // A failure before the journal was reached (no password) is remembered here only.
      const lastRun =
        slot.facts?.lastRun && (facts.lastRun?.finishedAt ?? 0) < slot.facts.lastRun.finishedAt
          ? slot.facts.lastRun
          : facts.lastRun;
      slot.facts = { ...facts, lastRun, at: now };
    } catch (error) {
      this.parts.warn?.(`The journal of the sync job "${job.name}" cannot be read: ${errorMessage(error)}`);
      slot.facts ??= { lastRun: null, cycleBytes: {}, at: now };
    }
    return slot.facts;
  }

  /** Why the job waits instead of starting now; null: it may start. */
  private holdBack(job: SyncJob, cause: RunCause): string | null {
    if (cause === 'hand') return null;
    return batteryBlocks(job, this.parts.battery());
  }

  /** Starts a run unless the policy holds it back; true when it is starting (`slot.starting`). */
  private begin(job: SyncJob, cause: RunCause, force: boolean): boolean {
    const slot = this.slot(job.name);
    const held = this.holdBack(job, cause);
    if (held !== null) return this.wait(slot, held, this.now() + WAIT_RETRY_MS);
    slot.starting = this.launch(job, slot, cause, force).finally(() => {
      slot.starting = null;
    });
    return true;
  }

  private async launch(job: SyncJob, slot: Slot, cause: RunCause, force: boolean): Promise<void> {
    const now = this.now();
    let session: SyncSession;
    try {
      session = await this.parts.open(job, { force });
    } catch (error) {
      this.finish(job, slot, failedRun(now, error));
      return;
    }
    if (cause !== 'hand' && session.paths.order().length === 0) {
      void session.close();
      const why = 'no path the job may use is up, or its allowance on them is spent';
      this.wait(slot, why, now + WAIT_RETRY_MS);
      return;
    }
    const stop = new AbortController();
    const running: Running = { session, stop, done: Promise.resolve() };
    running.done = this.carry(job, slot, running);
    slot.running = running;
    slot.waitingFor = null;
    slot.pathChanged = false;
    this.parts.changed();
  }

  private wait(slot: Slot, why: string, retryAt: number): false {
    if (slot.waitingFor !== why) {
      slot.waitingFor = why;
      this.parts.changed();
    }
    slot.retryAt = retryAt;
    return false;
  }

  /** The run itself, under the job's lock; its end is remembered, told and published. */
  private async carry(job: SyncJob, slot: Slot, running: Running): Promise<void> {
    const { session, stop } = running;
    const startedAt = this.now();
    let run: SyncRunInfo | null = null;
    let unlock: (() => Promise<void>) | null = null;
    try {
      unlock = await lockRun(this.parts.jobs.journalDir(job.name), job.name);
      run = outcomeRun(await session.run(stop.signal));
    } catch (error) {
      if (errorCode(error) === 'E_BUSY' && unlock === null) {
        slot.waitingFor = 'another Pathwise process (pathwise sync run) is running it';
        slot.retryAt = this.now() + BUSY_RETRY_MS;
      } else run = failedRun(startedAt, error);
    } finally {
      await session.close().catch(() => undefined);
      await unlock?.();
      slot.running = null;
      slot.facts = null;
    }
    if (run !== null && !stop.signal.aborted) this.finish(job, slot, run);
    else this.parts.changed();
  }

  private finish(job: SyncJob, slot: Slot, run: SyncRunInfo): void {
    slot.facts = { ...(slot.facts ?? { cycleBytes: {} }), lastRun: run, at: 0 };
    this.parts.changed();
    this.parts.ended?.(job, run);
  }
}

/** A run is on, starting, or the job's folders are being changed. */
function busy(slot: Slot): boolean {
  return slot.running !== null || slot.starting !== null || slot.editing;
}

function outcomeRun(outcome: RunOutcome): SyncRunInfo {
  const first = outcome.errors[0];
  return {
    startedAt: outcome.startedAt,
    finishedAt: outcome.startedAt + outcome.durationMs,
    ok: outcome.converged,
    uploaded: outcome.uploaded,
    downloaded: outcome.downloaded,
    deleted: outcome.deleted,
    conflicts: outcome.conflicts,
    error: first ? { code: first.code, message: first.message, cause: syncErrorCause(first.code) } : null,
  };
}

function failedRun(startedAt: number, error: unknown): SyncRunInfo {
  const code = errorCode(error);
  return {
    startedAt,
    finishedAt: Date.now(),
    ok: false,
    uploaded: 0,
    downloaded: 0,
    deleted: 0,
    conflicts: [],
    error: { code, message: errorMessage(error), cause: syncErrorCause(code) },
  };
}
