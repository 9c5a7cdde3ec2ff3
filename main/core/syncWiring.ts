import { mkdirSync } from 'node:fs';
import type { Battery, SyncRunInfo } from '../../common/contract.ts';
import { errorMessage } from '../../common/errors.ts';
import type { BudgetProvider } from '../base/budget.ts';
import { watchFile } from '../base/watchFile.ts';
import type { BoundPaths, PathBinder } from '../engine/PathBinder.ts';
import type { Ledger } from '../ledger/Ledger.ts';
import type { AppRateMeter } from '../monitor/AppRateMeter.ts';
import type { SecretBox } from '../base/secretBox.ts';
import { SyncJobs, type SyncJob } from '../sync/SyncJobs.ts';
import { SyncScheduler } from '../sync/SyncScheduler.ts';
import { SyncSession } from '../sync/SyncSession.ts';
import type { PathwiseService } from './PathwiseService.ts';
import { throttlePublish } from './publishThrottle.ts';
import type { SettingsStore } from './SettingsStore.ts';

/** The jobs' list goes to the UI at most this often; while a job runs, at least this often. */
const PUBLISH_MS = 1000;

export interface SyncParts {
  service: PathwiseService;
  dataDir: string;
  settings: SettingsStore;
  paths: BoundPaths;
  binder: PathBinder;
  appRates: AppRateMeter;
  /** The ledger's caps hold for the jobs, and their bytes and alerts go there; null when it is off. */
  ledger: Ledger | null;
  budget: BudgetProvider | undefined;
  battery: () => Battery | null;
  env: NodeJS.ProcessEnv;
  /** The shell's encryption for the jobs' passwords (the desktop app's safeStorage); none: a 0600 file. */
  secrets?: SecretBox | undefined;
}

/** A run's conflicts and its failure as ledger alerts (each once; the shells notify). */
function raiseAlerts(ledger: Ledger | null, job: string, run: SyncRunInfo): void {
  if (run.conflicts.length > 0)
    ledger?.recordEvent({ kind: 'sync-conflict', job, runAt: run.startedAt, conflicts: run.conflicts });
  if (!run.ok && run.error)
    ledger?.recordEvent({ kind: 'sync-failed', job, code: run.error.code, message: run.error.message });
}

/**
 * The folder syncs in the app: the jobs `pathwise sync add` wrote in the data home (the file is
 * followed, so `pathwise sync pause` from a terminal is seen here), run on their schedule by the
 * scheduler (main/sync/SyncScheduler.ts) over the bound paths, every byte booked in the ledger
 * like a download's; `syncs.*` answered, the `syncs` push kept current, and conflicts and
 * failures raised as alerts (which the desktop shell shows as notifications).
 */
export function wireSyncs(parts: SyncParts): SyncScheduler {
  const { service, dataDir, settings, paths, binder, appRates, ledger, budget, env } = parts;
  const jobs = new SyncJobs(dataDir, parts.secrets ? { secrets: parts.secrets } : {});
  const warn = (message: string): void => console.warn(`pathwise: ${message}`);
  const open = async (job: SyncJob, { force }: { force: boolean }): Promise<SyncSession> => {
    const session = new SyncSession({
      job,
      journalDir: jobs.journalDir(job.name),
      password: await jobs.openPassword(job, env),
      paths: () => paths.snapshot(),
      agentFactory: binder.agentFactory,
      plans: () => settings.get().plans,
      ...(budget ? { budget } : {}),
      // The ledger books what the pools' sockets moved (ledgerWiring's bookSocketBytes): payload
      // here would count the same bytes twice.
      book: (event) => {
        binder.record(event.path, event.bytes);
        appRates.record(event);
      },
      settings: { force },
    });
    if (session.journal.warning) warn(session.journal.warning);
    return session;
  };
  const publish = throttlePublish(
    () =>
      void scheduler.list().then(
        (list) => service.publish('syncs', list),
        (error: unknown) => warn(`The sync jobs cannot be listed: ${errorMessage(error)}`),
      ),
    PUBLISH_MS,
  );
  const scheduler: SyncScheduler = new SyncScheduler({
    jobs,
    open,
    battery: parts.battery,
    paths: () => paths.snapshot(),
    plans: () => settings.get().plans,
    changed: () => publish.request(),
    warn,
    ended: (job, run) => raiseAlerts(ledger, job.name, run),
  });
  paths.on('paths', () => scheduler.pathsChanged());
  let unwatch: (() => void) | undefined;
  let ticker: NodeJS.Timeout | undefined;
  service.register(
    {
      'syncs.list': async () => scheduler.list(),
      'syncs.run': async (name, { force }) => scheduler.runNow(name, force ?? false),
      'syncs.pause': async (name) => scheduler.pause(name),
      'syncs.resume': async (name) => scheduler.resume(name),
      'syncs.edit': async (name, { password, ...change }) => scheduler.edit(name, change, password),
      'syncs.remove': async (name) => scheduler.remove(name),
    },
    {
      start: () => {
        mkdirSync(jobs.dir, { recursive: true, mode: 0o700 });
        unwatch = watchFile(jobs.file, () => scheduler.reload(), {
          onError: (error) =>
            warn(`Changes to ${jobs.file} made outside the app are not followed (${error.message}).`),
        });
        scheduler.start();
        // Progress while a job runs.
        ticker = setInterval(() => {
          if (scheduler.running > 0) publish.request();
        }, PUBLISH_MS);
        ticker.unref();
      },
      stop: async () => {
        unwatch?.();
        clearInterval(ticker);
        await scheduler.stop();
        publish.cancel();
      },
    },
  );
  return scheduler;
}
