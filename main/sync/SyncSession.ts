import type { PathInfo, Plan } from '../../common/contract.ts';
import type { BudgetProvider, PathBytesEvent } from '../base/budget.ts';
import type { PathAgentFactory } from '../engine/pathAgent.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import type { TransferTuning } from '../engine/TransferOptions.ts';
import type { SyncJob } from './SyncJobs.ts';
import { SyncJournal } from './SyncJournal.ts';
import { basicAuth, SyncPaths } from './SyncPaths.ts';
import { allowanceFor, allowedPaths, jobBudget } from './syncPolicy.ts';
import { DEFAULT_SETTINGS, SyncRunner, type RunOutcome, type SyncSettings } from './SyncRunner.ts';
import { WebDavClient } from './WebDavClient.ts';

export interface SessionParts {
  job: SyncJob;
  /** The job's journal folder (`SyncJobs.journalDir`). */
  journalDir: string;
  password: string | null;
  /** The machine's paths now, with their bindings (the monitor's, through PathBinder). */
  paths: () => readonly PathInfo[];
  agentFactory: PathAgentFactory;
  plans: () => Record<string, Plan>;
  /** The ledger: its caps hold for the job too. */
  budget?: BudgetProvider;
  /** Where every byte the job moves is booked (the ledger, the binding check). */
  book?: (event: PathBytesEvent) => void;
  settings?: Partial<Omit<SyncSettings, 'localRoot'>>;
  tuning?: Partial<TransferTuning>;
}

/**
 * One job, ready to run: its journal, its paths under its policy (allowance, caps, rate limit),
 * its path-bound pools, the WebDAV client and the runner. `updatePaths` follows the
 * monitor; `close` releases the pools and the journal.
 */
export class SyncSession {
  readonly journal: SyncJournal;
  readonly paths: SyncPaths;
  readonly client: WebDavClient;
  readonly runner: SyncRunner;

  constructor(parts: SessionParts) {
    const { job } = parts;
    this.journal = new SyncJournal(parts.journalDir);
    const allowance = allowanceFor({
      job,
      journal: this.journal,
      paths: parts.paths,
      plans: parts.plans,
      ...(parts.budget ? { budget: parts.budget } : {}),
      unbooked: (path) => this.runner.unbooked(path),
    });
    const current = () => allowedPaths(job, parts.paths());
    const limits = new PathLimits(jobBudget(allowance, parts.budget, job.rateBps, () => current().length));
    this.paths = new SyncPaths({
      paths: current,
      agentFactory: parts.agentFactory,
      origin: new URL(job.remote).origin,
      authorization: basicAuth(job.user, parts.password),
      jobId: `sync:${job.name}`,
      limits,
    });
    if (parts.book) this.paths.on('bytes', parts.book);
    this.client = new WebDavClient(job.remote, this.paths);
    this.runner = new SyncRunner(
      {
        client: this.client,
        journal: this.journal,
        paths: this.paths,
        downloads: { paths: this.paths, limits, ...(parts.tuning ? { tuning: parts.tuning } : {}) },
      },
      {
        ...DEFAULT_SETTINGS,
        maxDeleteShare: job.maxDeleteShare,
        keepDays: job.keepDays,
        uploadRateBps: job.rateBps,
        ...parts.settings,
        localRoot: job.local,
      },
    );
  }

  run(signal?: AbortSignal): Promise<RunOutcome> {
    return this.runner.run(signal);
  }

  /** The monitor's paths changed: running downloads and requests drop a path that went down at once. */
  updatePaths(): void {
    this.runner.active.updatePaths(this.paths);
    this.paths.dropGone();
  }

  async stop(): Promise<void> {
    await this.runner.active.pauseAll();
  }

  async close(): Promise<void> {
    await this.paths.close();
    this.journal.close();
  }
}
