import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { lockRun } from './runLock.ts';
import { SyncJobSchema, type SyncJob, type SyncJobs } from './SyncJobs.ts';
import { JOURNAL_FILE, SyncJournal } from './SyncJournal.ts';

/** What `pathwise sync edit` and the Syncs view may change of a job (its name stays). */
export type JobChange = Partial<
  Pick<
    SyncJob,
    | 'local'
    | 'remote'
    | 'user'
    | 'password'
    | 'everyMinutes'
    | 'onPathChange'
    | 'batteryMinPercent'
    | 'policy'
    | 'paths'
    | 'rateBps'
    | 'maxDeleteShare'
    | 'keepDays'
  >
>;

export interface EditOutcome {
  job: SyncJob;
  /** The folder pair changed: the journal was started afresh. */
  freshJournal: boolean;
}

/** A server folder's URL as compared: "…/Docs" and "…/Docs/" are one folder. */
function folderUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const href = new URL(url).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function sameSource(a: SyncJob['password'], b: SyncJob['password']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether the change points the job at another local folder or another server folder. */
export function movesFolders(job: SyncJob, change: JobChange): boolean {
  const local = change.local !== undefined && change.local !== job.local;
  const remote = change.remote !== undefined && folderUrl(change.remote) !== folderUrl(job.remote);
  return local || remote;
}

/**
 * Changes a job. Another folder pair starts a fresh journal: what the old pair looked like says
 * nothing of the new one — judged by it, every file the new folder lacks would look deleted. The
 * first run of the new pair compares both afresh, copies what either side lacks, keeps both
 * versions of what differs and deletes nothing. Not while a run of the job holds its lock (the
 * CLI's, in another process; the app's scheduler keeps its own runs out, see SyncScheduler.edit).
 */
export async function editJob(jobs: SyncJobs, name: string, change: JobChange): Promise<EditOutcome> {
  const job = jobs.get(name);
  const checked = SyncJobSchema.safeParse({ ...job, ...change, name });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new PathwiseError(
      'E_BAD_REQUEST',
      `The sync job "${name}" cannot take that ${issue?.path.join('.') || 'change'}: ${issue?.message}.`,
    );
  }
  if (change.local !== undefined && !statSync(change.local, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PathwiseError('E_DISK', `The local folder ${change.local} does not exist; create it first.`);
  }
  const outcome = movesFolders(job, change)
    ? await moveFolders(jobs, name, change)
    : { job: await jobs.update(name, change), freshJournal: false };
  // A password the app kept in a file of its own (no keyring) goes with the source it had.
  const own = job.password && 'because' in job.password ? job.password.file : null;
  if (own !== null && change.password !== undefined && !sameSource(job.password, change.password))
    await rm(own, { force: true });
  return outcome;
}

/** Another folder pair: under the job's run lock, the journal afresh, then the job. */
async function moveFolders(jobs: SyncJobs, name: string, change: JobChange): Promise<EditOutcome> {
  const dir = jobs.journalDir(name);
  const unlock = await lockRun(dir, name);
  try {
    // The journal first: cut between the two steps, the old pair is compared afresh (nothing is
    // deleted); the other way round, the old pair's journal would judge the new pair.
    if (existsSync(join(dir, JOURNAL_FILE))) {
      const journal = new SyncJournal(dir);
      try {
        journal.forgetTree();
      } finally {
        journal.close();
      }
    }
    return { job: await jobs.update(name, change), freshJournal: true };
  } finally {
    await unlock();
  }
}
