import type { PathMonitor } from '../monitor/PathMonitor.ts';
import { openDownloadCore } from '../core/downloadCore.ts';
import { Transfer, type TransferOutcome, type TransferTuning } from '../engine/Transfer.ts';
import type { GetOptions } from './getArgs.ts';
import { absentNotice, absentPaths, checkCaps, pathsFor } from './getPaths.ts';
import { showProgress } from './getProgress.ts';
import { bindings, report } from './getReport.ts';
import type { CliIo } from './io.ts';

export interface HereRequest {
  options: GetOptions;
  target: { file: string } | { directory: string };
  io: CliIo;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** Where notices go (a path missing, a binding by address); null with --quiet. */
  notices: CliIo | null;
}

/**
 * `pathwise get` with no app running: the download runs in this process on the core's download
 * build (core/downloadCore.ts: settings, monitor, binder, ledger; no service, no UI), so its first
 * request leaves as early as it can, and prints what a handed download prints.
 */
export async function runHere({ options, target, io, env, dataDir, notices }: HereRequest): Promise<number> {
  const core = await openDownloadCore({
    dataDir,
    env,
    warn: notices ? (message) => notices.stderr.write(`pathwise: ${message}\n`) : null,
  });
  const { monitor, binder, snapshot } = core;
  const paths = pathsFor(options, snapshot);
  const absent = absentPaths(options.paths, snapshot);
  let transfer: Transfer;
  try {
    checkCaps(options.caps, paths);
    transfer = new Transfer({
      limits: core.limits,
      url: options.url,
      ...target,
      mode: options.mode,
      paths,
      allowedPaths: options.paths ? paths.map((p) => p.name) : null,
      caps: options.caps,
      ...(options.sha256 ? { sha256: options.sha256 } : {}),
      ...(options.mirrors ? { mirrors: options.mirrors } : {}),
      ...(options.fileName ? { fileName: options.fileName } : {}),
      ...(options.followMetalink ? { followMetalink: true } : {}),
      whenCapped: 'fail',
      tuning: tuningFromEnv(env, options.connections),
      agentFactory: binder.agentFactory,
      ...(options.access ? { access: options.access } : {}),
    });
  } catch (error) {
    core.close();
    throw error;
  }
  if (absent.length > 0 && !options.json) notices?.stderr.write(absentNotice(absent));
  const stopFollowing = core.follow(transfer, (next) => pathsFor(options, next));
  const output = showProgress(transfer, binder, options, io);
  const signals = pauseOnSignal(transfer);
  let outcome: TransferOutcome;
  try {
    outcome = await runThenWatchLinks(transfer, monitor);
  } finally {
    output.stop();
    stopFollowing();
    core.close();
    signals.off();
    output.clearLine();
  }
  await binder.check().catch(() => undefined);
  const info = transfer.info();
  return report(outcome, info, options, signals.interrupted(), io, bindings(binder, info));
}

function tuningFromEnv(env: NodeJS.ProcessEnv, connections: number | null): Partial<TransferTuning> {
  const tuning: Partial<TransferTuning> = {};
  if (connections !== null) tuning.connectionsPerPath = connections;
  // Tests shorten the give-up time so a dead server fails fast; not a user-facing option.
  const giveUp = Number(env['PATHWISE_GIVE_UP_MS']);
  if (Number.isFinite(giveUp) && giveUp > 0) tuning.giveUpMs = giveUp;
  return tuning;
}

/** Ctrl-C or a TERM pauses the download (its part is kept to resume) instead of killing it. */
function pauseOnSignal(transfer: Transfer): { interrupted: () => boolean; off: () => void } {
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    void transfer.pause();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    interrupted: () => interrupted,
    off: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs the download. The link watcher starts once bytes flow (or after WATCHER_DELAY_MS): spawning
 * `ip monitor` blocks for milliseconds the first requests need more, and the paths were just read.
 * Until then a failing path is caught by its socket errors and stall watchdogs.
 */
async function runThenWatchLinks(transfer: Transfer, monitor: PathMonitor): Promise<TransferOutcome> {
  const running = transfer.run();
  if (await flowingOrDelay(transfer, running)) {
    try {
      await monitor.start();
    } catch (error) {
      // Nothing may outlive runGet: stop the download (its part is kept) first.
      await transfer.pause();
      await running;
      throw error;
    }
  }
  return await running;
}

const WATCHER_DELAY_MS = 1000;

/** True once the transfer reports its first bytes or WATCHER_DELAY_MS passed; false if it ended first. */
function flowingOrDelay(transfer: Transfer, running: Promise<TransferOutcome>): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (flowing: boolean): void => {
      clearTimeout(timer);
      transfer.off('bytes', onBytes);
      resolve(flowing);
    };
    const onBytes = (): void => settle(true);
    const timer = setTimeout(() => settle(true), WATCHER_DELAY_MS);
    transfer.once('bytes', onBytes);
    void running.then(
      () => settle(false),
      () => settle(false),
    );
  });
}
