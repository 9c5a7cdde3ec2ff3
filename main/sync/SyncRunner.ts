import { statSync } from 'node:fs';
import { errorCode, errorMessage, PathwiseError } from '../../common/errors.ts';
import { dayStart } from '../ledger/calendar.ts';
import { isPathFault, stopsTheRun } from './davErrors.ts';
import { ActiveDownloads, type EngineDownloads } from './engineDownload.ts';
import { ChunkedUploads } from './chunkedUpload.ts';
import { emptyTally, runAction, type ActionContext, type RunTally } from './fileActions.ts';
import { scanLocal, stillWriting } from './localScan.ts';
import { runDirAction } from './dirActions.ts';
import { isDirAction, reconcile, deleteShare, type SyncAction, type SyncPlan } from './reconcile.ts';
import type { SyncJournal } from './SyncJournal.ts';
import { isReserved, UPLOAD_SUFFIX } from './syncNames.ts';
import type { SyncPaths } from './SyncPaths.ts';
import { SyncTrash } from './SyncTrash.ts';
import { RateBucket } from './uploadBody.ts';
import type { WebDavClient } from './WebDavClient.ts';

export interface SyncSettings {
  localRoot: string;
  /** A run that would delete more than this share of the known files stops and asks (0–1). */
  maxDeleteShare: number;
  /** This run is confirmed: it may delete more than the share. */
  force: boolean;
  /** Trash runs are kept this many days. */
  keepDays: number;
  /**
   * The job's rate limit for uploads, in bytes per second (downloads are held to the same rate
   * by the job's PathLimits, see syncPolicy.jobBudget); null: none.
   */
  uploadRateBps: number | null;
  /** A local file modified within this long is looked at twice before it is uploaded. */
  quietMs: number;
  smallBytes: number;
  /**
   * On a Nextcloud, files larger than this go up in chunks of `chunkBytes` (Nextcloud takes 5 MiB
   * to 5 GiB): a cut upload goes on from the chunks the server has.
   */
  chunkedFromBytes: number;
  chunkBytes: number;
  stallMs: number;
  concurrency: number;
  maxRounds: number;
}

export const DEFAULT_SETTINGS: Omit<SyncSettings, 'localRoot'> = {
  maxDeleteShare: 0.5,
  force: false,
  keepDays: 30,
  uploadRateBps: null,
  quietMs: 2000,
  smallBytes: 4 << 20,
  chunkedFromBytes: 10 << 20,
  chunkBytes: 10 << 20,
  stallMs: 20_000,
  concurrency: 4,
  maxRounds: 4,
};

export interface FileError {
  path: string;
  code: string;
  message: string;
}

export interface RunOutcome extends RunTally {
  /** Both sides agree (and the journal knows it). */
  converged: boolean;
  rounds: number;
  waiting: string[];
  errors: FileError[];
  /** The run's bytes per path. */
  bytes: Record<string, { up: number; down: number }>;
  startedAt: number;
  durationMs: number;
}

export interface SyncRunnerParts {
  client: WebDavClient;
  journal: SyncJournal;
  paths: SyncPaths;
  downloads: EngineDownloads;
}

/** A run as it goes, for a progress line and the dashboard. */
export interface RunProgress {
  startedAt: number;
  round: number;
  /** Listing both sides and planning, or carrying the plan out. */
  phase: 'listing' | 'moving';
  /** Files this run has planned to handle so far (every round's), and those it is through with. */
  filesTotal: number;
  filesDone: number;
  /** This run's bytes per path so far. */
  bytes: Record<string, { up: number; down: number }>;
}

interface LiveRun {
  startedAt: number;
  before: Map<string, { up: number; down: number }>;
  round: number;
  phase: RunProgress['phase'];
  filesTotal: number;
  filesDone: number;
}

interface RoundResult {
  errors: FileError[];
  done: number;
}

/**
 * One run of a sync job, to convergence: list both sides (the local walk costs an lstat a file,
 * the remote one a PROPFIND a folder), plan against the journal (reconcile.ts), refuse a run
 * that deletes too much, carry the plan out a few files at a time, then look again — a run ends
 * when a round finds nothing to do, or after `maxRounds` or a round that achieved nothing.
 * The login, the quota or the loss of every path stop the run at once; other failures are the
 * file's and are retried next round.
 */
export class SyncRunner {
  readonly active = new ActiveDownloads();
  private readonly parts: SyncRunnerParts;
  private readonly settings: SyncSettings;
  private readonly bucket: RateBucket;
  private readonly pending = new Map<string, { rx: number; tx: number }>();
  private live: LiveRun | null = null;
  /** Temporary upload names the last listing found (tries a cut path left on the server). */
  private leftovers: string[] = [];
  /** Told when the run moves on (a phase, a file done); `progress()` has the bytes at any time. */
  onProgress: ((progress: RunProgress) => void) | null = null;

  constructor(parts: SyncRunnerParts, settings: SyncSettings) {
    this.parts = parts;
    this.settings = settings;
    this.bucket = new RateBucket(settings.uploadRateBps);
  }

  async run(signal: AbortSignal = new AbortController().signal): Promise<RunOutcome> {
    const startedAt = Date.now();
    const { paths, journal } = this.parts;
    const before = snapshotTotals(paths);
    this.live = { startedAt, before, round: 0, phase: 'listing', filesTotal: 0, filesDone: 0 };
    const onBytes = (e: { path: string; direction: 'up' | 'down'; bytes: number }): void => {
      const row = this.pending.get(e.path) ?? { rx: 0, tx: 0 };
      row[e.direction === 'down' ? 'rx' : 'tx'] += e.bytes;
      this.pending.set(e.path, row);
    };
    paths.on('bytes', onBytes);
    const flushing = setInterval(() => this.flushUsage(), 2000);
    const tally = emptyTally();
    const outcome: RunOutcome = {
      ...tally,
      converged: false,
      rounds: 0,
      waiting: [],
      errors: [],
      bytes: {},
      startedAt,
      durationMs: 0,
    };
    try {
      await this.rounds(outcome, signal);
      return outcome;
    } catch (error) {
      outcome.errors.push({ path: '', code: errorCode(error), message: errorMessage(error) });
      throw error;
    } finally {
      this.live = null;
      paths.off('bytes', onBytes);
      clearInterval(flushing);
      this.flushUsage();
      outcome.durationMs = Date.now() - startedAt;
      outcome.bytes = diffTotals(before, snapshotTotals(paths));
      const first = outcome.errors[0];
      journal.addRun({
        startedAt,
        finishedAt: Date.now(),
        ok: outcome.converged,
        errorCode: first?.code ?? null,
        errorMessage: first?.message ?? null,
        uploaded: outcome.uploaded,
        downloaded: outcome.downloaded,
        deleted: outcome.deleted,
        conflicts: outcome.conflicts,
      });
    }
  }

  private async rounds(outcome: RunOutcome, signal: AbortSignal): Promise<void> {
    const trash = new SyncTrash(this.settings.localRoot, this.parts.client, outcome.startedAt);
    const chunked = new ChunkedUploads(this.parts.client.base, {
      chunkBytes: this.settings.chunkBytes,
      fromBytes: this.settings.chunkedFromBytes,
    });
    for (let round = 1; round <= this.settings.maxRounds && !signal.aborted; round++) {
      outcome.rounds = round;
      this.setLive({ round, phase: 'listing' });
      const plan = await this.plan();
      this.setLive({ phase: 'moving', filesTotal: (this.live?.filesTotal ?? 0) + plan.actions.length });
      outcome.waiting = plan.waiting;
      if (plan.actions.length === 0 && plan.waiting.length === 0) {
        outcome.converged = true;
        await trash.prune(this.settings.keepDays).catch(() => 0);
        // No upload of this job is under way now: what is left under a temporary name is a cut
        // try's (a server still holding one refuses, and a later run removes it).
        for (const name of this.leftovers) await this.parts.client.delete(name).catch(() => undefined);
        return;
      }
      const result = await this.execute(plan.actions, { trash, chunked, tally: outcome, signal });
      outcome.errors = result.errors;
      // Nothing moved and nothing is still being written: another round would fail the same way.
      if (result.done === 0 && plan.waiting.length === 0) return;
    }
  }

  /** How the run in progress is going; null between runs. */
  progress(): RunProgress | null {
    const live = this.live;
    if (!live) return null;
    const { before, ...rest } = live;
    return { ...rest, bytes: diffTotals(before, snapshotTotals(this.parts.paths)) };
  }

  private setLive(change: Partial<LiveRun>): void {
    if (!this.live) return;
    Object.assign(this.live, change);
    const progress = this.onProgress && this.progress();
    if (progress) this.onProgress?.(progress);
  }

  /** Both sides listed and compared with the journal; throws E_SYNC_DELETES past the share. */
  async plan(): Promise<SyncPlan> {
    const root = this.settings.localRoot;
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
      // Never read a missing folder (an unplugged disk) as "everything was deleted here".
      throw new PathwiseError(
        'E_DISK',
        `The local folder ${root} is not there; plug in its disk or fix the job.`,
      );
    }
    const [local, remote] = await Promise.all([
      scanLocal(root),
      this.parts.client.walk((dir) => isReserved(dir)),
    ]);
    this.leftovers = remote.skipped.filter((name) => name.endsWith(UPLOAD_SUFFIX));
    const busy = await stillWriting(root, local.files, this.settings.quietMs);
    const { journal } = this.parts;
    const plan = reconcile({
      local: local.files,
      remote: remote.files,
      journal: journal.entries(),
      busy,
      localDirs: local.dirs,
      remoteDirs: remote.dirs,
      journalDirs: journal.dirs(),
    });
    const over = this.settings.force ? null : deleteShare(plan, this.settings.maxDeleteShare);
    if (over) {
      const share = Math.round(over.share * 100);
      throw new PathwiseError(
        'E_SYNC_DELETES',
        `This run would delete ${over.deletes} of ${over.known} ${over.of} (${share}%), more than the job allows (${Math.round(this.settings.maxDeleteShare * 100)}%). Nothing was changed. If the deletions are meant, run it again with --force; deleted files go to the trash either way.`,
      );
    }
    // Folders both sides have are in step, whatever the files in them do.
    journal.transaction(() => {
      for (const dir of plan.dirs.inStep) journal.putDir(dir);
      for (const dir of plan.dirs.gone) journal.removeDir(dir);
    });
    return plan;
  }

  private async execute(
    actions: SyncAction[],
    run: { trash: SyncTrash; chunked: ChunkedUploads; tally: RunTally; signal: AbortSignal },
  ): Promise<RoundResult> {
    const ctx: ActionContext = {
      localRoot: this.settings.localRoot,
      ...this.parts,
      trash: run.trash,
      active: this.active,
      bucket: this.bucket,
      smallBytes: this.settings.smallBytes,
      chunked: run.chunked,
      stallMs: this.settings.stallMs,
      signal: run.signal,
      tally: run.tally,
    };
    const errors: FileError[] = [];
    let done = 0;
    let fatal: unknown = null;
    const work = async (queue: SyncAction[], workers: number): Promise<void> => {
      const worker = async (): Promise<void> => {
        for (
          let action = queue.shift();
          action && fatal === null && !run.signal.aborted;
          action = queue.shift()
        ) {
          const deferred = run.tally.deferred.length;
          try {
            await (isDirAction(action) ? runDirAction(action, ctx) : runAction(action, ctx));
            if (run.tally.deferred.length === deferred) done++;
          } catch (error) {
            errors.push({ path: action.path, code: errorCode(error), message: errorMessage(error) });
            if (stopsTheRun(error) || (isPathFault(error) && this.parts.paths.order().length === 0))
              fatal ??= error;
          } finally {
            this.setLive({ filesDone: (this.live?.filesDone ?? 0) + 1 });
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, worker));
    };
    // A local folder is removed once the files in it have gone, one at a time, deepest first.
    const emptied = (a: SyncAction): boolean => a.kind === 'deleteLocalDir';
    await work(
      actions.filter((a) => !emptied(a)),
      this.settings.concurrency,
    );
    if (fatal === null) await work(actions.filter(emptied), 1);
    if (fatal !== null) throw fatal;
    return { errors, done };
  }

  /** Bytes moved on `path` not yet in the journal (the allowance counts them too). */
  unbooked(path: string): number {
    const row = this.pending.get(path);
    return row ? row.rx + row.tx : 0;
  }

  /** The job's bytes per path and day into its journal (its cellular allowance counts them). */
  private flushUsage(): void {
    const day = dayStart(Date.now());
    for (const [path, row] of this.pending) this.parts.journal.book(path, day, row.rx, row.tx);
    this.pending.clear();
  }
}

function snapshotTotals(paths: SyncPaths): Map<string, { up: number; down: number }> {
  return new Map([...paths.totals].map(([k, v]) => [k, { ...v }]));
}

function diffTotals(
  before: Map<string, { up: number; down: number }>,
  after: Map<string, { up: number; down: number }>,
): Record<string, { up: number; down: number }> {
  const out: Record<string, { up: number; down: number }> = {};
  for (const [path, now] of after) {
    const was = before.get(path) ?? { up: 0, down: 0 };
    out[path] = { up: now.up - was.up, down: now.down - was.down };
  }
  return out;
}
