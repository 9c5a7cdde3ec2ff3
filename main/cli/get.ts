import { statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { PathInfo } from '../../common/contract.ts';
import { SettingsStore } from '../core/SettingsStore.ts';
import type { EnginePath } from '../engine/EnginePath.ts';
import { PathBinder } from '../engine/PathBinder.ts';
import { bookSocketBytes } from '../engine/pathAgent.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { Transfer, type TransferOutcome, type TransferTuning } from '../engine/Transfer.ts';
import { missingFolder } from '../engine/transferErrors.ts';
import { PathMonitor } from '../monitor/PathMonitor.ts';
import { PathwiseError } from '../../common/errors.ts';
import { openDataHome } from './dataHome.ts';
import { AppConnection } from './handoffClient.ts';
import { parseGetArgs, type GetOptions } from './getArgs.ts';
import { absentNotice, absentPaths, checkCaps, pathsFor } from './getPaths.ts';
import { showProgress } from './getProgress.ts';
import { bindings, report } from './getReport.ts';
import type { CliIo } from './io.ts';

export { GET_USAGE } from './getArgs.ts';

/**
 * `pathwise get`: one download. With the app running it is handed to the app (handoffGet.ts);
 * else it is composed here by hand from the parts it needs (no service, no UI), so its first
 * request leaves as early as it can. PATHWISE_NO_HANDOFF=1 always runs it here (benchmarks).
 */
export async function runGet(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseGetArgs(args);
  const target = saveTarget(options.output);
  // Notices (a path missing, a binding by address, the data folder moved) unless --quiet.
  const notices = options.quiet ? null : io;
  const dataDir = openDataHome(options.dataDir, notices, env);
  // The app (or `pathwise serve`) runs: the download is its (one engine, one ledger).
  const app = env['PATHWISE_NO_HANDOFF'] === '1' ? null : await AppConnection.open(dataDir, env);
  if (app) return (await import('./handoffGet.ts')).runHandedGet(app, options, target, io);
  if (options.detach) throw noAppToDetach();
  const { store: settings } = await SettingsStore.open(dataDir, env);
  const { monitor, binder, snapshot } = await readPaths(settings, notices);
  const paths = pathsFor(options, binder.decorate(snapshot));
  const absent = absentPaths(options.paths, snapshot);
  checkCaps(options.caps, paths);
  if (absent.length > 0 && !options.json) notices?.stderr.write(absentNotice(absent));
  const ledger = openLedger(dataDir, settings, notices);
  const transfer = new Transfer({
    limits: new PathLimits(ledger),
    url: options.url,
    ...target,
    mode: options.mode,
    paths,
    allowedPaths: options.paths ? paths.map((p) => p.name) : null,
    caps: options.caps,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
    whenCapped: 'fail',
    tuning: tuningFromEnv(env, options.connections),
    agentFactory: binder.agentFactory,
  });
  followPaths(options, { transfer, monitor, binder, ledger });
  const verifying = setInterval(() => void binder.check().catch(() => undefined), 1000);
  const output = showProgress(transfer, binder, options, io);
  const signals = pauseOnSignal(transfer);
  let outcome: TransferOutcome;
  try {
    outcome = await runThenWatchLinks(transfer, monitor);
  } finally {
    output.stop();
    clearInterval(verifying);
    monitor.stop();
    ledger.close();
    signals.off();
    output.clearLine();
  }
  await binder.check().catch(() => undefined);
  const info = transfer.info();
  return report(outcome, info, options, signals.interrupted(), io, bindings(binder, info));
}

function noAppToDetach(): PathwiseError {
  return new PathwiseError(
    'E_UNAVAILABLE',
    '--detach leaves the download to the running Pathwise app, and none is running for this data folder. Start Pathwise (or "pathwise serve"), or leave --detach out to download here.',
  );
}

/**
 * Where -o says to save: a file, or a folder to save in under the server's name (an existing
 * folder, or any name ending in a slash). Its folder must exist: said now, before any request.
 */
function saveTarget(output: string | null): { file: string } | { directory: string } {
  const folderOnly = output === null || output.endsWith('/') || output.endsWith(sep);
  const path = resolve(output ?? '.');
  const stat = statSync(path, { throwIfNoEntry: false });
  if (folderOnly || stat?.isDirectory()) {
    if (!stat?.isDirectory()) throw missingFolder(path);
    return { directory: path };
  }
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) throw missingFolder(dirname(path));
  return { file: path };
}

/** The monitor and the binder for this download, and the paths as they are now. */
async function readPaths(
  settings: SettingsStore,
  notices: CliIo | null,
): Promise<{ monitor: PathMonitor; binder: PathBinder; snapshot: PathInfo[] }> {
  // Link state, addresses, metered and the user's preferences are all a download needs: no
  // systeminformation details (they spawn processes) and no counters (PathBinder reads its own).
  const monitor = new PathMonitor({
    preferences: () => settings.get().preferences,
    overrides: () => settings.get().overrides,
    systemDetails: false,
    countersIntervalMs: 0,
  });
  const binder = new PathBinder({ warn: (message) => notices?.stderr.write(`pathwise: ${message}\n`) });
  const snapshot = await monitor.refresh();
  binder.watch(snapshot);
  return { monitor, binder, snapshot };
}

/** The plans' caps hold here too: this download's bytes count in the ledger the app keeps. */
function openLedger(dataDir: string, settings: SettingsStore, notices: CliIo | null): Ledger {
  const { ledger, warning } = Ledger.open({
    dataDir,
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (warning) notices?.stderr.write(`pathwise: ${warning}\n`);
  ledger.start();
  return ledger;
}

function tuningFromEnv(env: NodeJS.ProcessEnv, connections: number | null): Partial<TransferTuning> {
  const tuning: Partial<TransferTuning> = {};
  if (connections !== null) tuning.connectionsPerPath = connections;
  // Tests shorten the give-up time so a dead server fails fast; not a user-facing option.
  const giveUp = Number(env['PATHWISE_GIVE_UP_MS']);
  if (Number.isFinite(giveUp) && giveUp > 0) tuning.giveUpMs = giveUp;
  return tuning;
}

interface DownloadParts {
  transfer: Transfer;
  monitor: PathMonitor;
  binder: PathBinder;
  ledger: Ledger;
}

/**
 * Keeps the download's paths current as links change and as the binder judges them (an
 * unverified path drops out), and books its bytes for the binder's check and the ledger. Wired
 * before the output, so a path change is applied before it is reported.
 */
function followPaths(options: GetOptions, { transfer, monitor, binder, ledger }: DownloadParts): void {
  const current = (snapshot: readonly PathInfo[]): EnginePath[] =>
    pathsFor(options, binder.decorate(snapshot));
  // The plans' caps follow what is paid for on each path (a modem back under another name).
  ledger.knowPaths(monitor.snapshot());
  monitor.on('paths', (next) => {
    binder.watch(next);
    ledger.knowPaths(next);
    transfer.updatePaths(current(next));
  });
  transfer.on('bytes', (event) => binder.record(event.path, event.bytes));
  // The ledger books what the sockets moved (requests, headers, TLS with the payload), not the payload.
  ledger.once(
    'closing',
    bookSocketBytes((event) => ledger.recordPathBytes(event), transfer),
  );
  binder.on('change', () => transfer.updatePaths(current(monitor.snapshot())));
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
