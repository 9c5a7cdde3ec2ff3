import { existsSync } from 'node:fs';
import { PathwiseError } from '../../common/errors.ts';
import { formatBytes, formatDateTime, formatDuration } from '../../common/format.ts';
import { SYNC_CAUSE_TEXT, type SyncRunInfo } from '../../common/syncContract.ts';
import { SettingsStore } from '../core/SettingsStore.ts';
import { PathBinder } from '../engine/PathBinder.ts';
import { proxyFromEnv } from '../network/proxySettings.ts';
import { bookSocketBytes } from '../engine/pathAgent.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { PathMonitor } from '../monitor/PathMonitor.ts';
import { editJob, type EditOutcome } from '../sync/jobEdit.ts';
import { readFacts } from '../sync/jobInfo.ts';
import { readSecret } from '../sync/jobSecrets.ts';
import { lockRun } from '../sync/runLock.ts';
import { SyncJobs, type SyncJob, type SyncPolicy } from '../sync/SyncJobs.ts';
import { SyncJournal } from '../sync/SyncJournal.ts';
import type { RunOutcome, RunProgress } from '../sync/SyncRunner.ts';
import { SyncSession } from '../sync/SyncSession.ts';
import { commandUsage, oneOf, type ParsedArgs } from './args.ts';
import { SYNC_ACTIONS } from './commands.ts';
import { openDataHome } from './dataHome.ts';
import type { CliIo } from './io.ts';
import { changeFromArgs, jobFromArgs } from './syncOptions.ts';

const usage = (message: string): Error => commandUsage('sync', message);

/** `pathwise sync ACTION [NAME]`: the jobs in the data home, and runs of them. */
export async function runSync(
  args: ParsedArgs,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [actionArg, name] = args.positionals;
  const action = oneOf('sync', 'ACTION', actionArg ?? '', SYNC_ACTIONS);
  const json = args.flag('json') ?? false;
  const jobs = new SyncJobs(openDataHome(args.string('data-dir'), json ? null : io, env));
  if (action === 'list') {
    const listed = jobs.list().map((job) => ({ ...shown(job), last: lastRun(jobs, job.name) }));
    io.stdout.write(json ? `${JSON.stringify(listed)}\n` : listText(listed));
    return 0;
  }
  if (!name) throw usage(`"pathwise sync ${action}" needs the job's NAME.`);
  switch (action) {
    case 'add':
      return print(
        io,
        json,
        shown(await jobs.add(jobFromArgs(name, args))),
        (job) => `Added sync job ${job.name}: ${job.local} ⇄ ${job.remote}.\n`,
      );
    case 'edit': {
      const { job, freshJournal }: EditOutcome = await editJob(jobs, name, changeFromArgs(args));
      return print(io, json, { ...shown(job), freshJournal }, editText);
    }
    case 'pause':
    case 'resume':
      return print(
        io,
        json,
        shown(await jobs.update(name, { paused: action === 'pause' })),
        (job) => `Sync job ${job.name} is ${job.paused ? 'paused' : 'active'}.\n`,
      );
    case 'remove':
      return print(
        io,
        json,
        shown(await jobs.remove(name)),
        (job) => `Removed sync job ${job.name}; ${job.local} and the server's folder are untouched.\n`,
      );
    case 'status':
      return print(io, json, await status(jobs, jobs.get(name), env), statusText);
    case 'run':
      return runJob(jobs, jobs.get(name), args, io, env);
  }
  return 0;
}

function print<T>(io: CliIo, json: boolean, value: T, text: (value: T) => string): number {
  io.stdout.write(json ? `${JSON.stringify(value)}\n` : text(value));
  return 0;
}

type ShownJob = Omit<SyncJob, 'password'> & { password: SyncJob['password'] | { keyring: true } };

/** A job as shown: a password the desktop app sealed is named, its sealed bytes left out. */
function shown(job: SyncJob): ShownJob {
  return job.password && 'sealed' in job.password ? { ...job, password: { keyring: true } } : job;
}

function editText({ name, local, remote, freshJournal }: ShownJob & { freshJournal: boolean }): string {
  const fresh = freshJournal
    ? ' Its folders changed, so its journal starts afresh: the next run compares both folders, copies what either lacks, keeps both versions of what differs and deletes nothing.'
    : '';
  return `Changed sync job ${name}: ${local} ⇄ ${remote}.${fresh}\n`;
}

function lastRun(jobs: SyncJobs, name: string): ReturnType<SyncJournal['lastRuns']>[number] | null {
  if (!existsSync(jobs.journalDir(name))) return null;
  const journal = new SyncJournal(jobs.journalDir(name));
  try {
    return journal.lastRuns(1)[0] ?? null;
  } finally {
    journal.close();
  }
}

function listText(jobs: Array<ShownJob & { last: ReturnType<typeof lastRun> }>): string {
  if (jobs.length === 0) return 'No sync jobs. "pathwise sync add NAME --local DIR --remote URL" adds one.\n';
  return jobs
    .map((j) => {
      const state = j.paused
        ? 'paused'
        : j.last === null
          ? 'never run'
          : j.last.ok
            ? 'in step'
            : `failed (${j.last.errorCode})`;
      const when = j.last ? `, last run ${formatDateTime(j.last.finishedAt)}` : '';
      return `${j.name}  ${state}${when}\n    ${j.local} ⇄ ${j.remote}  policy ${policyText(j.policy)}\n`;
    })
    .join('');
}

function policyText(policy: SyncPolicy): string {
  if (policy.kind === 'cellular')
    return policy.meteredBytes === null ? 'cellular' : `cellular up to ${formatBytes(policy.meteredBytes)}`;
  return policy.kind;
}

interface JobStatus {
  job: SyncJob;
  lastRun: SyncRunInfo | null;
  /** The job's bytes per path this billing cycle (each path's plan's, else the calendar month). */
  bytes: Record<string, { rx: number; tx: number }>;
}

async function status(jobs: SyncJobs, job: SyncJob, env: NodeJS.ProcessEnv): Promise<JobStatus> {
  const { store: settings } = await SettingsStore.open(jobs.dataDir, env);
  const facts = readFacts(jobs.journalDir(job.name), settings.get().plans, Date.now());
  return { job, lastRun: facts.lastRun, bytes: facts.cycleBytes };
}

function statusText({ job, lastRun: last, bytes }: JobStatus): string {
  const lines = [`${job.name}: ${job.local} ⇄ ${job.remote}${job.paused ? ' (paused)' : ''}`];
  lines.push(
    `  policy ${policyText(job.policy)}${job.rateBps ? `, at most ${formatBytes(job.rateBps)}/s` : ''}`,
  );
  if (!last) lines.push('  never run');
  else {
    const why = last.error
      ? ` (${SYNC_CAUSE_TEXT[last.error.cause]}) — ${last.error.message}`
      : ' — stopped, or files changed while it ran';
    lines.push(`  last run ${formatDateTime(last.finishedAt)}: ${last.ok ? 'in step' : `not in step${why}`}`);
    lines.push(`  ${last.uploaded} uploaded, ${last.downloaded} downloaded, ${last.deleted} deleted`);
    for (const c of last.conflicts) lines.push(`  conflict kept as ${c}`);
  }
  for (const [path, b] of Object.entries(bytes))
    lines.push(`  ${path}: ↓ ${formatBytes(b.rx)} ↑ ${formatBytes(b.tx)} this cycle`);
  return `${lines.join('\n')}\n`;
}

/** The run's parts from the data home: settings, paths, binding, ledger. */
async function openParts(dataDir: string, env: NodeJS.ProcessEnv, io: CliIo) {
  const { store: settings } = await SettingsStore.open(dataDir, env);
  const monitor = new PathMonitor({
    preferences: () => settings.get().preferences,
    overrides: () => settings.get().overrides,
    systemDetails: false,
    countersIntervalMs: 0,
  });
  const binder = new PathBinder({
    warn: (message) => io.stderr.write(`pathwise: ${message}\n`),
    proxy: proxyFromEnv(env),
  });
  binder.watch(await monitor.refresh());
  const { ledger, warning } = Ledger.open({
    dataDir,
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (warning) io.stderr.write(`pathwise: ${warning}\n`);
  ledger.start();
  return { settings, monitor, binder, ledger };
}

async function runJob(
  jobs: SyncJobs,
  job: SyncJob,
  args: ParsedArgs,
  io: CliIo,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const json = args.flag('json') ?? false;
  if (job.paused) {
    throw new PathwiseError(
      'E_BUSY',
      `The sync job "${job.name}" is paused; "pathwise sync resume ${job.name}" first.`,
    );
  }
  const password = readSecret(job, env);
  const unlock = await lockRun(jobs.journalDir(job.name), job.name);
  const { settings, monitor, binder, ledger } = await openParts(jobs.dataDir, env, io);
  const session = new SyncSession({
    job,
    journalDir: jobs.journalDir(job.name),
    password,
    paths: () => binder.decorate(monitor.snapshot()),
    agentFactory: binder.agentFactory,
    plans: () => settings.get().plans,
    budget: ledger,
    // The ledger books what the sockets moved (bookSocketBytes below), not the payload.
    book: (event) => binder.record(event.path, event.bytes),
    settings: { force: args.flag('force') ?? false, ...quietFromEnv(env) },
  });
  if (session.journal.warning) io.stderr.write(`pathwise: ${session.journal.warning}\n`);
  ledger.once(
    'closing',
    bookSocketBytes((event) => ledger.recordPathBytes(event)),
  );
  monitor.on('paths', (next) => {
    binder.watch(next);
    session.updatePaths();
  });
  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
    void session.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await monitor.start().catch(() => undefined);
  const progress = json ? null : showSyncProgress(job.name, session, io);
  let outcome: RunOutcome;
  try {
    outcome = await session.run(stop.signal);
  } finally {
    progress?.();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    monitor.stop();
    await session.close();
    ledger.close();
    await unlock();
  }
  return report(job, outcome, stop.signal.aborted, json, io);
}

/** Erases the progress line, so what follows starts on a clean one. */
const CLEAR_LINE = '\r\x1b[K';

/**
 * The progress line of a run: files handled of those planned, bytes both ways, and each path's
 * share — never the URL (it may carry a user name) and never the password.
 */
export function syncProgressLine(name: string, p: RunProgress, width = 100): string {
  const rows = Object.entries(p.bytes);
  const down = rows.reduce((sum, [, b]) => sum + b.down, 0);
  const up = rows.reduce((sum, [, b]) => sum + b.up, 0);
  const files =
    p.phase === 'listing' && p.filesTotal === 0
      ? 'comparing both sides'
      : `${p.filesDone}/${p.filesTotal} files`;
  const paths = rows
    .filter(([, b]) => b.up + b.down > 0)
    .map(([path, b]) => `${path} ${formatBytes(b.down + b.up)}`)
    .join(' · ');
  const line = `${name}: ${files}  ↓ ${formatBytes(down)} ↑ ${formatBytes(up)}${paths ? `  ${paths}` : ''}`;
  return line.slice(0, Math.max(20, width - 1));
}

/** On a terminal, a progress line on stderr redrawn as the run goes; returns what ends it. */
function showSyncProgress(name: string, session: SyncSession, io: CliIo): (() => void) | null {
  const err = io.stderr as NodeJS.WriteStream;
  if (!err.isTTY) return null;
  let last: RunProgress | null = null;
  let shown = '';
  const draw = (): void => {
    last = session.runner.progress() ?? last;
    if (!last) return;
    const line = syncProgressLine(name, last, err.columns || 100);
    if (line !== shown) err.write(`${CLEAR_LINE}${line}`);
    shown = line;
  };
  session.runner.onProgress = (p) => (last = p);
  const timer = setInterval(draw, 250);
  draw();
  return () => {
    clearInterval(timer);
    session.runner.onProgress = null;
    // The run's last state, then a clean line for the report.
    draw();
    if (shown) err.write(`${CLEAR_LINE}`);
  };
}

/** Tests shorten the second look at recently modified files; not a user-facing option. */
function quietFromEnv(env: NodeJS.ProcessEnv): { quietMs?: number } {
  const quiet = Number(env['PATHWISE_SYNC_QUIET_MS']);
  return Number.isFinite(quiet) && quiet >= 0 && env['PATHWISE_SYNC_QUIET_MS'] ? { quietMs: quiet } : {};
}

function report(job: SyncJob, outcome: RunOutcome, interrupted: boolean, json: boolean, io: CliIo): number {
  if (json) io.stdout.write(`${JSON.stringify({ name: job.name, ...outcome })}\n`);
  else io.stdout.write(outcomeText(job, outcome));
  if (interrupted) return 130;
  if (outcome.converged) return 0;
  const first = outcome.errors[0];
  if (first) {
    throw new PathwiseError(
      (first.code.startsWith('E_') ? first.code : 'E_INTERNAL') as PathwiseError['code'],
      `The sync job "${job.name}" is not in step: ${first.path ? `${first.path}: ` : ''}${first.message}`,
    );
  }
  const left = [...outcome.waiting, ...outcome.deferred];
  throw new PathwiseError(
    'E_BUSY',
    `The sync job "${job.name}" is not in step yet: ${left.length} files changed while it ran (${left.slice(0, 3).join(', ')}). Run it again.`,
  );
}

function outcomeText(job: SyncJob, o: RunOutcome): string {
  const head = o.converged ? 'in step' : 'not in step';
  const lines = [
    `${job.name}: ${head} after ${o.rounds} ${o.rounds === 1 ? 'round' : 'rounds'} in ${formatDuration(o.durationMs)}: ${o.uploaded} uploaded, ${o.downloaded} downloaded, ${o.deleted} deleted, ${o.conflicts.length} conflicts${o.folders ? `, ${o.folders} folders made` : ''}`,
  ];
  for (const c of o.conflicts) lines.push(`  conflict: the local version was kept as ${c}`);
  for (const [path, b] of Object.entries(o.bytes))
    lines.push(`  ${path}: ↑ ${formatBytes(b.up)} ↓ ${formatBytes(b.down)}`);
  if (o.resentBytes > 0)
    lines.push(`  ${formatBytes(o.resentBytes)} of uploads sent again on another path after a path failed`);
  if (o.resumedBytes > 0)
    lines.push(`  ${formatBytes(o.resumedBytes)} of downloads resumed from an earlier run`);
  for (const e of o.errors.slice(0, 5)) lines.push(`  ${e.path || 'run'}: ${e.message} [${e.code}]`);
  return `${lines.join('\n')}\n`;
}
