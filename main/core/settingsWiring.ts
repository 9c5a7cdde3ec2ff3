import type { PathBinder } from '../engine/PathBinder.ts';
import type { PathMonitor } from '../monitor/PathMonitor.ts';
import type { PathwiseService } from './PathwiseService.ts';
import type { SettingsStore } from './SettingsStore.ts';

export interface SettingsParts {
  service: PathwiseService;
  settings: SettingsStore;
  monitor: PathMonitor;
  binder: PathBinder;
}

/**
 * Settings as the contract reads and writes them. A path's preference and override are settings
 * too, answered with the paths as they are once the monitor has applied them. Changes written by
 * another process are followed while the core runs.
 */
export function wireSettings({ service, settings, monitor, binder }: SettingsParts): void {
  settings.on('change', (value) => {
    service.publish('settings', value);
    // The monitor reads its preferences, overrides and probe from the settings: a change applies at once.
    void monitor.refresh();
  });
  // A hand-edited settings.json that was refused, or a folder that can't be watched.
  settings.on('warning', (message) => console.warn(`pathwise: ${message}`));
  service.register(
    {
      'paths.setPreference': async (name, preference) => {
        await settings.update({ preferences: { ...settings.get().preferences, [name]: preference } });
        return binder.decorate(await monitor.refresh());
      },
      'paths.setOverride': async (name, override) => {
        const overrides = { ...settings.get().overrides };
        // An override with nothing in it gives the path back to the monitor's own judgement.
        if (override.type === undefined && override.metered === undefined) delete overrides[name];
        else overrides[name] = override;
        await settings.update({ overrides });
        return binder.decorate(await monitor.refresh());
      },
      'settings.get': async () => settings.get(),
      'settings.update': async (patch) => settings.update(patch),
    },
    // While the core runs, settings another process writes (`pathwise prefer`, `pathwise plan`,
    // a hand edit) apply and are published like the dashboard's own.
    { start: () => settings.watch(), stop: () => settings.unwatch() },
  );
}
