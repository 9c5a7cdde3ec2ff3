import type { PathInfo } from '../../common/contract.ts';
import type { EnginePath } from '../engine/EnginePath.ts';
import { PathBinder } from '../engine/PathBinder.ts';
import { bookSocketBytes } from '../engine/pathAgent.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import type { Transfer } from '../engine/Transfer.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { monitorSettings, PathMonitor } from '../monitor/PathMonitor.ts';
import { proxyFromEnv, proxyNotices } from '../network/proxySettings.ts';
import { SettingsStore } from './SettingsStore.ts';

/**
 * The core for one download in this process (`pathwise get` when no app runs), built here beside
 * createPathwise from the same parts and the same settings: the user's preferences and overrides,
 * the monitor, the binder that pins sockets to paths, and the ledger whose caps hold for this
 * download and which books its bytes. No service and no UI: only what a download needs, so its
 * first request leaves as early as it can. The command line parses and prints; it composes nothing.
 */
export interface DownloadCore {
  settings: SettingsStore;
  monitor: PathMonitor;
  binder: PathBinder;
  ledger: Ledger;
  /** What each path may still spend, from the ledger's plans (a `stop` budget holds here too). */
  limits: PathLimits;
  /** The paths as they were read at the start, each with its binding. */
  snapshot: PathInfo[];
  /**
   * Keeps `transfer`'s paths current (links changing, the binder dropping an unverified path) and
   * books its bytes for the binder and the ledger; `choose` picks this download's paths from a
   * snapshot. Returns a stop for the binder's periodic check.
   */
  follow: (transfer: Transfer, choose: (snapshot: PathInfo[]) => EnginePath[]) => () => void;
  /** Stops the monitor and closes the ledger (its last bytes booked). */
  close: () => void;
}

export interface DownloadCoreOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Notices for the user (a binding by address, a ledger moved aside); null says nothing. */
  warn: ((message: string) => void) | null;
}

export async function openDownloadCore({ dataDir, env, warn }: DownloadCoreOptions): Promise<DownloadCore> {
  const { store: settings, warning } = await SettingsStore.open(dataDir, env);
  if (warning) warn?.(warning);
  // Link state, addresses, metered and the user's preferences are all a download needs: no
  // systeminformation details (they spawn processes), no counters (PathBinder reads its own) and
  // no health probes (the engine's own stall watch covers the one download).
  const { preferences, overrides } = monitorSettings(() => settings.get());
  const monitor = new PathMonitor({ preferences, overrides, systemDetails: false, countersIntervalMs: 0 });
  // The environment's proxies, as curl reads them (the app also reads the desktop's setting).
  const proxy = proxyFromEnv(env);
  for (const notice of proxyNotices(proxy)) warn?.(notice);
  const binder = new PathBinder({ warn: (message) => warn?.(message), proxy });
  const raw = await monitor.refresh();
  binder.watch(raw);
  const ledger = openCliLedger(dataDir, settings, warn);
  const snapshot = binder.decorate(raw);
  return {
    settings,
    monitor,
    binder,
    ledger,
    limits: new PathLimits(ledger),
    snapshot,
    follow: (transfer, choose) => followPaths({ transfer, monitor, binder, ledger }, choose),
    close: () => {
      monitor.stop();
      ledger.close();
    },
  };
}

/**
 * The plans' caps hold for a download in its own process too, so a ledger that can't be opened
 * stops it (the app, which has more to do than download, goes on without usage instead).
 */
function openCliLedger(dataDir: string, settings: SettingsStore, warn: DownloadCoreOptions['warn']): Ledger {
  const { ledger, warning } = Ledger.open({
    dataDir,
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (warning) warn?.(warning);
  ledger.start();
  return ledger;
}

interface FollowedParts {
  transfer: Transfer;
  monitor: PathMonitor;
  binder: PathBinder;
  ledger: Ledger;
}

/** Wired before any output, so a path change is applied before it is reported. */
function followPaths(
  { transfer, monitor, binder, ledger }: FollowedParts,
  choose: (snapshot: PathInfo[]) => EnginePath[],
): () => void {
  const current = (snapshot: readonly PathInfo[]): EnginePath[] => choose(binder.decorate(snapshot));
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
  const verifying = setInterval(() => void binder.check().catch(() => undefined), 1000);
  return () => clearInterval(verifying);
}
