import { PathMonitor, type PathMonitorOptions } from '../monitor/PathMonitor.ts';
import { resolveDataDir } from './dataDir.ts';
import { PathwiseService, type ShellKind } from './PathwiseService.ts';
import { SettingsStore } from './SettingsStore.ts';
import { APP_VERSION } from './version.ts';

export interface CreatePathwiseOptions {
  shell: ShellKind;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  monitor?: PathMonitorOptions;
}

export interface Pathwise {
  service: PathwiseService;
  settings: SettingsStore;
  monitor: PathMonitor;
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
  const monitor = new PathMonitor({ preferences: () => settings.get().preferences, ...options.monitor });

  monitor.on('paths', (paths) => service.publish('paths', paths));
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
      'settings.get': async () => settings.get(),
      'settings.update': async (patch) => settings.update(patch),
    },
    { start: () => monitor.start(), stop: () => monitor.stop() },
  );

  return { service, settings, monitor, dataDir, warnings };
}
