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
 * too, answered with the paths as they are once the monitor has applied them.
 */
export function wireSettings({ service, settings, monitor, binder }: SettingsParts): void {
  settings.on('change', (value) => {
    service.publish('settings', value);
    // The monitor reads its preferences, overrides and probe from the settings: a change applies at once.
    void monitor.refresh();
  });
  service.register({
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
  });
}
