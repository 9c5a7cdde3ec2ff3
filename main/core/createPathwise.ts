import { BoundPaths, PathBinder } from '../engine/PathBinder.ts';
import { socketHandshakes } from '../engine/pathAgent.ts';
import type { Ledger } from '../ledger/Ledger.ts';
import type { TransferManager } from '../engine/TransferManager.ts';
import { AppRateMeter } from '../monitor/AppRateMeter.ts';
import { BatteryMonitor, type BatteryMonitorOptions } from '../monitor/BatteryMonitor.ts';
import { monitorSettings, PathMonitor, type PathMonitorOptions } from '../monitor/PathMonitor.ts';
import type { BudgetProvider } from '../base/budget.ts';
import type { SecretBox } from '../base/secretBox.ts';
import { resolveDataDir } from '../base/dataDir.ts';
import { prepareDataHome } from '../base/dataHome.ts';
import type { ResolveProxy } from '../network/proxyResolver.ts';
import { readSystemProxy, type SystemProxy } from '../network/systemProxy.ts';
import { serveApp } from './appWiring.ts';
import { wireEngine } from './engineWiring.ts';
import type { HandedTransfers } from './HandedTransfers.ts';
import { followHealth, wireHealth } from './healthWiring.ts';
import { openLedger, recordTransfers, serveLedger } from './ledgerWiring.ts';
import { followBattery, serveSensing, wireMonitor } from './monitorWiring.ts';
import { PathwiseService, type ShellKind } from './PathwiseService.ts';
import { SettingsStore } from './SettingsStore.ts';
import { wireSettings } from './settingsWiring.ts';
import { wireSyncs } from './syncWiring.ts';
import type { SyncScheduler } from '../sync/SyncScheduler.ts';

export interface CreatePathwiseOptions {
  shell: ShellKind;
  /** --data-dir; else the one data home (main/base/dataDir.ts). */
  dataDir?: string;
  /** Electron's `app.getPath('userData')`: used only when the user chose it (`--user-data-dir`). */
  electronUserData?: string;
  env?: NodeJS.ProcessEnv;
  monitor?: PathMonitorOptions;
  battery?: BatteryMonitorOptions;
  /** What each path may still spend (the ledger); unlimited when absent. */
  budget?: BudgetProvider;
  /** The shell's log file, shown in the About panel. */
  logFile?: string;
  /** The desktop app's auto-update status line, shown in the About panel. */
  updates?: () => string;
  /** The shell's encryption for sync passwords (the desktop app's safeStorage). */
  secrets?: SecretBox;
  /**
   * The OS's proxy for a URL as a PAC-style answer (the desktop app's Chromium resolver, which
   * reads every desktop's setting and PAC files); without it, GNOME's setting is read. The
   * environment's proxies come first either way.
   */
  resolveProxy?: ResolveProxy;
}

export interface Pathwise {
  service: PathwiseService;
  settings: SettingsStore;
  monitor: PathMonitor;
  battery: BatteryMonitor;
  /** The engine's per-path payload bytes go here (`appRates.record`) for the live throughput chart. */
  appRates: AppRateMeter;
  /** The monitor's paths with each path's binding (how its sockets are pinned, verified or not). */
  paths: BoundPaths;
  binder: PathBinder;
  /** Usage, plans, alerts; null when its database could not be opened (see warnings). */
  ledger: Ledger | null;
  /** The engine's downloads; the ledger listens to its `bytes` events and plugs its budget into `limits`. */
  transfers: TransferManager;
  /** Downloads `pathwise get` handed to this app (main/host/HandoffServer.ts), listed with the others. */
  handed: HandedTransfers;
  /** The folder syncs (`pathwise sync add`), run on their schedule. */
  syncs: SyncScheduler;
  dataDir: string;
  /** Problems found while starting (e.g. a corrupt settings file moved aside), for the UI to show. */
  warnings: string[];
}

/**
 * Composes the core: settings → monitor → engine → ledger, each registering its part of the
 * contract on one service. Both shells and the CLI build the app through here. The order matters:
 * the ledger opens before anything that feeds it is wired, the UI's listener on the paths comes
 * before the engine's (a path change reaches the UI first), and the sensing part registers before
 * the engine's, so it starts first and stops last.
 */
export async function createPathwise(options: CreatePathwiseOptions): Promise<Pathwise> {
  const env = options.env ?? process.env;
  const dataDir = resolveDataDir(options.dataDir, env, process.platform, options.electronUserData);
  // Private, and the app's files from before issue 22 moved in once (see dataHome.ts).
  const warnings = prepareDataHome(dataDir, { env });
  const { store: settings, warning } = await SettingsStore.open(dataDir, env);
  if (warning) warnings.push(warning);

  const proxy = await readProxy(env, options.resolveProxy, warnings);

  const service = new PathwiseService({ shell: options.shell });
  const monitor = new PathMonitor({
    ...monitorSettings(() => settings.get()),
    ...options.monitor,
    probe: { ...options.monitor?.probe, proxy: proxy.settings },
  });
  const battery = new BatteryMonitor(options.battery);
  const appRates = new AppRateMeter();
  const reading = followBattery(battery, service);
  const ledger = openLedger(dataDir, settings, reading.latest, warnings);
  const binder = new PathBinder({ proxy: proxy.settings });
  const paths = new BoundPaths(monitor, binder);

  wireMonitor({ service, monitor, paths, appRates, ledger });
  wireSettings({ service, settings, monitor, binder });
  serveApp({
    ...{ service, shell: options.shell, dataDir, settings, warnings },
    ...{ logFile: options.logFile ?? null, updates: options.updates },
  });
  serveSensing({ service, monitor, battery, reading, paths, ledger });

  const budget = options.budget ?? ledger ?? undefined;
  const health = followHealth(service, monitor);
  const { transfers, handed } = wireEngine({
    service,
    settings,
    paths,
    binder,
    appRates,
    budget,
    health,
    env,
  });
  wireHealth({ monitor, downloads: [transfers, handed], ledger, handshakes: socketHandshakes, service });
  if (ledger) {
    recordTransfers(ledger, transfers);
    recordTransfers(ledger, handed);
    serveLedger(service, ledger);
  }
  // After the sensing part: syncs stop (and book their last bytes) before the ledger closes.
  const syncs = wireSyncs({
    ...{ service, dataDir, settings, paths, binder, appRates, ledger, budget, env },
    battery: reading.latest,
    secrets: options.secrets,
  });

  return {
    service,
    settings,
    monitor,
    paths,
    binder,
    battery,
    appRates,
    transfers,
    handed,
    syncs,
    ledger,
    dataDir,
    warnings,
  };
}

/**
 * The proxies: the environment's, read once per start, else the OS's (systemProxy.ts), per URL
 * where the shell can ask; probes and downloads alike go through them. Notices go to the warnings
 * (and the log, for those the answers bring later).
 */
async function readProxy(
  env: NodeJS.ProcessEnv,
  resolveProxy: ResolveProxy | undefined,
  warnings: string[],
): Promise<SystemProxy> {
  const proxy = await readSystemProxy(env, {
    ...(resolveProxy ? { resolveProxy } : {}),
    notify: (notice) => {
      console.warn(`pathwise: ${notice}`);
      warnings.push(notice);
    },
  });
  warnings.push(...proxy.notices);
  return proxy;
}
