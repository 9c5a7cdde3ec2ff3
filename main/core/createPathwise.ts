import { AppRateMeter } from '../monitor/AppRateMeter.ts';
import { BatteryMonitor, type BatteryMonitorOptions } from '../monitor/BatteryMonitor.ts';
import { monitorSettings, PathMonitor, type PathMonitorOptions } from '../monitor/PathMonitor.ts';
import { resolveDataDir } from './dataDir.ts';
import { PathwiseService, type ShellKind } from './PathwiseService.ts';
import { SettingsStore } from './SettingsStore.ts';
import { APP_VERSION } from './version.ts';

export interface CreatePathwiseOptions {
  shell: ShellKind;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  monitor?: PathMonitorOptions;
  battery?: BatteryMonitorOptions;
}

export interface Pathwise {
  service: PathwiseService;
  settings: SettingsStore;
  monitor: PathMonitor;
  battery: BatteryMonitor;
  /** The engine's per-path payload bytes go here (`appRates.record`) for the live throughput chart. */
  appRates: AppRateMeter;
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

  monitor.on('paths', (paths) => service.publish('paths', paths));
  monitor.on('event', (event) => service.publish('pathEvent', event));
  monitor.on('rates', ({ t, paths }) => {
    const app = appRates.sample(t);
    service.publish('throughput', {
      t,
      paths: Object.fromEntries(
        Object.entries(paths).map(([name, r]) => [name, { appRate: Math.round(app.get(name) ?? 0), ...r }]),
      ),
    });
  });
  battery.on('battery', (value) => service.publish('battery', value));
  settings.on('change', (value) => {
    service.publish('settings', value);
    void monitor.refresh();
  });

  service.register(
    {
      'app.info': async () => ({ version: APP_VERSION, shell: options.shell, dataDir }),
      'paths.list': async () => monitor.snapshot(),
      'paths.setPreference': async (name, preference) => {
        await settings.update({ preferences: { ...settings.get().preferences, [name]: preference } });
        return monitor.refresh();
      },
      'paths.setOverride': async (name, override) => {
        const overrides = { ...settings.get().overrides };
        if (override.type === undefined && override.metered === undefined) delete overrides[name];
        else overrides[name] = override;
        await settings.update({ overrides });
        return monitor.refresh();
      },
      'battery.get': () => battery.get(),
      'settings.get': async () => settings.get(),
      'settings.update': async (patch) => settings.update(patch),
    },
    {
      start: async () => {
        await monitor.start();
        await battery.start();
      },
      stop: () => {
        battery.stop();
        monitor.stop();
      },
    },
  );

  return { service, settings, monitor, battery, appRates, dataDir, warnings };
}
