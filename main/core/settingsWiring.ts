import type { PathInfo, Plan } from '../../common/contract.ts';
import { isTied, planKeyFor, tieTo } from '../../common/planIdentity.ts';
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
  followIdentities(settings, monitor);
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

/**
 * Ties plans to what is paid for on their path as the monitor reads it (issue 20 case 14): a plan
 * from before identities, kept under a path's name, takes that path's identity (SIM, Wi-Fi
 * network or adapter) when the path is first seen with one; a plan tied to an adapter takes the
 * SIM read since. From then on the plan follows that, whatever the interface is called. One write
 * at a time; one that fails is tried again with the next paths.
 */
function followIdentities(settings: SettingsStore, monitor: PathMonitor): void {
  let writing = false;
  monitor.on('paths', (paths) => {
    if (writing) return;
    const plans = tiedPlans(settings.get().plans, paths);
    if (!plans) return;
    writing = true;
    settings
      .update({ plans })
      .catch(() => undefined)
      .finally(() => (writing = false));
  });
}

/** The plans with each one tied to its path where it should be (see tieTo); null when none changes. */
export function tiedPlans(
  plans: Record<string, Plan>,
  paths: readonly PathInfo[],
): Record<string, Plan> | null {
  let next: Record<string, Plan> | null = null;
  for (const path of paths) {
    const key = planKeyFor(path, plans, paths);
    const plan = key === null ? undefined : plans[key];
    // An untied plan is tied only by the path under its own name, never by one found otherwise.
    if (key === null || !plan || (!isTied(plan) && key !== path.name)) continue;
    const tie = tieTo(plan, path);
    if (tie) (next ??= { ...plans })[key] = { ...plan, ...tie };
  }
  return next;
}
