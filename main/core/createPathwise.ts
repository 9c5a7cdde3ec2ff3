import { basename } from 'node:path';
import type { Battery } from '../../common/contract.ts';
import { BoundPaths, PathBinder } from '../engine/PathBinder.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { TransferManager } from '../engine/TransferManager.ts';
import { AppRateMeter } from '../monitor/AppRateMeter.ts';
import { BatteryMonitor, type BatteryMonitorOptions } from '../monitor/BatteryMonitor.ts';
import { monitorSettings, PathMonitor, type PathMonitorOptions } from '../monitor/PathMonitor.ts';
import type { BudgetProvider } from '../base/budget.ts';
import { PathwiseError } from '../../common/errors.ts';
import { resolveDataDir } from '../base/dataDir.ts';
import { PathwiseService, type ShellKind } from './PathwiseService.ts';
import { SettingsStore } from './SettingsStore.ts';
import { APP_VERSION } from '../base/version.ts';

export interface CreatePathwiseOptions {
  shell: ShellKind;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  monitor?: PathMonitorOptions;
  battery?: BatteryMonitorOptions;
  /** What each path may still spend (the ledger); unlimited when absent. */
  budget?: BudgetProvider;
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
  dataDir: string;
  /** Problems found while starting (e.g. a corrupt settings file moved aside), for the UI to show. */
  warnings: string[];
}

/**
 * Composes the core: settings → monitor → engine → ledger, each registering its part of the
 * contract on one service. Both shells and the CLI build the app through here.
 */
export async function createPathwise(options: CreatePathwiseOptions): Promise<Pathwise> {
  const env = options.env ?? process.env;
  const dataDir = resolveDataDir(options.dataDir, env);
  const warnings: string[] = [];
  const { store: settings, warning } = await SettingsStore.open(dataDir, env);
  if (warning) warnings.push(warning);

  const service = new PathwiseService({ shell: options.shell });
  const monitor = new PathMonitor({ ...monitorSettings(() => settings.get()), ...options.monitor });
  const battery = new BatteryMonitor(options.battery);
  const appRates = new AppRateMeter();

  let lastBattery: Battery | null = null;
  let ledger: Ledger | null = null;
  try {
    const opened = Ledger.open({
      dataDir,
      plans: () => settings.get().plans,
      thresholds: () => settings.get().capThresholds,
      battery: () => lastBattery,
    });
    ledger = opened.ledger;
    if (opened.warning) warnings.push(opened.warning);
  } catch (error) {
    warnings.push(`Usage tracking is off: ${error instanceof Error ? error.message : String(error)}`);
  }

  const binder = new PathBinder();
  const paths = new BoundPaths(monitor, binder);
  paths.on('paths', (list) => service.publish('paths', list));
  monitor.on('event', (event) => {
    service.publish('pathEvent', event);
    if (event.type === 'health-changed' && event.health?.status === 'captive') {
      ledger?.recordEvent({ kind: 'captive-portal', path: event.name, detail: event.health.detail });
    }
  });
  monitor.on('probeBytes', (event) => ledger?.recordPathBytes(event));
  monitor.on('rates', ({ t, paths }) => {
    if (ledger) {
      const totals = monitor.counterTotals();
      ledger.observePaths(monitor.snapshot().map((p) => ({ ...p, ...totals.get(p.name) })));
    }
    const app = appRates.sample(t);
    service.publish('throughput', {
      t,
      paths: Object.fromEntries(
        Object.entries(paths).map(([name, r]) => [name, { appRate: Math.round(app.get(name) ?? 0), ...r }]),
      ),
    });
  });
  battery.on('battery', (value) => {
    lastBattery = value;
    service.publish('battery', value);
  });
  settings.on('change', (value) => {
    service.publish('settings', value);
    void monitor.refresh();
  });

  service.register(
    {
      'app.info': async () => ({ version: APP_VERSION, shell: options.shell, dataDir }),
      'paths.list': async () => paths.snapshot(),
      'paths.setPreference': async (name, preference) => {
        await settings.update({ preferences: { ...settings.get().preferences, [name]: preference } });
        return binder.decorate(await monitor.refresh());
      },
      'paths.setOverride': async (name, override) => {
        const overrides = { ...settings.get().overrides };
        if (override.type === undefined && override.metered === undefined) delete overrides[name];
        else overrides[name] = override;
        await settings.update({ overrides });
        return binder.decorate(await monitor.refresh());
      },
      'battery.get': async () => (lastBattery = await battery.get()),
      'settings.get': async () => settings.get(),
      'settings.update': async (patch) => settings.update(patch),
    },
    {
      start: async () => {
        ledger?.start();
        await monitor.start();
        await battery.start();
      },
      // Parts stop in reverse: the engine stops (and reports its last bytes) before this closes the ledger.
      stop: () => {
        battery.stop();
        monitor.stop();
        ledger?.close();
      },
    },
  );

  const transfers = new TransferManager({
    paths,
    agentFactory: binder.agentFactory,
    settings: () => settings.get(),
    limits: new PathLimits(options.budget ?? ledger ?? undefined),
  });
  // Progress changes constantly: the UI gets the list at most ~4 times a second.
  let lastPublished = 0;
  let publishTimer: NodeJS.Timeout | undefined;
  const publishTransfers = (): void => {
    if (publishTimer) return;
    const wait = Math.max(0, 250 - (Date.now() - lastPublished));
    publishTimer = setTimeout(() => {
      publishTimer = undefined;
      lastPublished = Date.now();
      service.publish('transfers', transfers.list());
    }, wait);
  };
  transfers.on('changed', publishTransfers);
  transfers.on('continuity', (event) => {
    service.publish('continuity', event);
    if (event.kind === 'handover' || event.kind === 'failover') {
      const file = transfers.list().find((t) => t.id === event.transferId)?.file;
      ledger?.recordEvent({
        kind: event.kind,
        transferId: event.transferId ?? 'unknown',
        from: event.from ?? null,
        to: event.to ?? null,
        ...(file ? { file: basename(file) } : {}),
      });
    }
  });
  transfers.on('bytes', (event) => {
    appRates.record(event);
    binder.record(event.path, event.bytes);
    ledger?.recordPathBytes(event);
  });
  // Done and failed downloads become alerts (once each, also across restarts).
  const lastStates = new Map<string, string>();
  transfers.on('changed', () => {
    for (const t of transfers.list()) {
      const before = lastStates.get(t.id);
      lastStates.set(t.id, t.state);
      if (before === t.state || before === undefined) continue;
      if (t.state === 'done') {
        ledger?.recordEvent({
          kind: 'transfer-done',
          transferId: t.id,
          file: basename(t.file),
          bytes: t.size ?? t.received,
        });
      } else if (t.state === 'failed') {
        ledger?.recordEvent({
          kind: 'transfer-failed',
          transferId: t.id,
          file: basename(t.file),
          message: t.error?.message ?? 'it stopped',
        });
      }
    }
  });
  let progressTimer: NodeJS.Timeout | undefined;

  service.register(
    {
      'transfers.list': async () => transfers.list(),
      'transfers.start': async (request) => transfers.start(request),
      'transfers.pause': async (id) => transfers.pause(id),
      'transfers.resume': async (id) => transfers.resume(id),
      'transfers.cancel': async (id) => transfers.cancel(id),
      'transfers.pauseAll': async () => transfers.pauseAll(),
      'transfers.resumeAll': async () => transfers.resumeAll(),
      'transfers.reveal': async () => {
        throw new PathwiseError(
          'E_UNSUPPORTED',
          'Showing a download in the file manager needs the desktop app; the file is in your download folder.',
        );
      },
      'continuity.list': async () => transfers.continuity(),
    },
    {
      start: () => {
        let ticks = 0;
        progressTimer = setInterval(() => {
          if (!transfers.running) return;
          publishTransfers();
          // Each second, check the engine's bytes against the interfaces' own counters.
          if (++ticks % 4 === 0) void binder.check().catch(() => undefined);
        }, 250);
        progressTimer.unref();
      },
      stop: async () => {
        clearInterval(progressTimer);
        clearTimeout(publishTimer);
        publishTimer = undefined;
        await transfers.stop();
      },
    },
  );

  if (ledger) {
    const books = ledger;
    books.on('alert', (alert) => service.publish('alert', alert));
    books.on('usage', () => service.publish('usage', books.summary()));
    service.register({
      'usage.summary': async () => books.summary(),
      'usage.history': async (query) => books.history(query),
      'alerts.list': async () => books.alerts(),
      'alerts.markRead': async (ids) => books.markRead(ids),
    });
  }

  return {
    service,
    settings,
    monitor,
    paths,
    binder,
    battery,
    appRates,
    transfers,
    ledger,
    dataDir,
    warnings,
  };
}
