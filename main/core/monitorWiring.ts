import type { Battery, PathInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { BoundPaths } from '../engine/PathBinder.ts';
import type { Ledger } from '../ledger/Ledger.ts';
import type { AppRateMeter } from '../monitor/AppRateMeter.ts';
import type { BatteryMonitor } from '../monitor/BatteryMonitor.ts';
import type { PathMonitor } from '../monitor/PathMonitor.ts';
import type { PathwiseService } from './PathwiseService.ts';

/** The last battery reading, and a fresh one on request (which becomes the last). */
export interface BatteryReading {
  latest: () => Battery | null;
  read: () => Promise<Battery>;
}

/**
 * Publishes every battery reading and remembers the last: the ledger's energy estimates ask for it
 * with each usage row, long after the reading arrived.
 */
export function followBattery(battery: BatteryMonitor, service: PathwiseService): BatteryReading {
  let latest: Battery | null = null;
  battery.on('battery', (value) => {
    latest = value;
    service.publish('battery', value);
  });
  return { latest: () => latest, read: async () => (latest = await battery.get()) };
}

export interface MonitorParts {
  service: PathwiseService;
  monitor: PathMonitor;
  paths: BoundPaths;
  appRates: AppRateMeter;
  /** Fed the monitor's captive portals, probe bytes and counters; null when usage tracking is off. */
  ledger: Ledger | null;
}

/**
 * Carries what the monitor sees to the UI and the ledger. Runs before the engine is built, so the
 * UI hears of a path change before the transfers react to it.
 */
export function wireMonitor({ service, monitor, paths, appRates, ledger }: MonitorParts): void {
  paths.on('paths', (list) => service.publish('paths', list));
  monitor.on('event', (event) => {
    service.publish('pathEvent', event);
    if (event.type === 'health-changed' && event.health?.status === 'captive') {
      ledger?.recordEvent({ kind: 'captive-portal', path: event.name, detail: event.health.detail });
    }
  });
  monitor.on('probeBytes', (event) => ledger?.recordPathBytes(event));
  monitor.on('rates', ({ t, paths: rates }) => {
    if (ledger) {
      const totals = monitor.counterTotals();
      ledger.observePaths(monitor.snapshot().map((p) => ({ ...p, ...totals.get(p.name) })));
    }
    const app = appRates.sample(t);
    service.publish('throughput', {
      t,
      paths: Object.fromEntries(
        Object.entries(rates).map(([name, r]) => [name, { appRate: Math.round(app.get(name) ?? 0), ...r }]),
      ),
    });
  });
}

export interface SensingParts {
  service: PathwiseService;
  monitor: PathMonitor;
  battery: BatteryMonitor;
  reading: BatteryReading;
  paths: BoundPaths;
  ledger: Ledger | null;
}

/**
 * The paths and the battery as the contract asks for them, and the start and stop of everything
 * that senses. The ledger starts and closes here, in the first part to start: parts stop in
 * reverse, so the engine stops (and reports its last bytes) before the ledger closes.
 */
export function serveSensing({ service, monitor, battery, reading, paths, ledger }: SensingParts): void {
  // On battery, routine probes back off (ProbeScheduler): each one wakes a radio.
  battery.on('battery', (value) => monitor.setOnBattery(value.present && !value.acConnected));
  service.register(
    {
      'paths.list': async () => paths.snapshot(),
      'paths.openPortal': async (name) => ({ url: portalUrlOf(monitor.snapshot(), name), opened: false }),
      'battery.get': reading.read,
    },
    {
      start: async () => {
        ledger?.start();
        await monitor.start();
        await battery.start();
      },
      stop: () => {
        battery.stop();
        monitor.stop();
        ledger?.close();
      },
    },
  );
}

/**
 * The sign-in page of the portal a path is behind, as its probe found it (only ever http or https,
 * see HealthProber's portalPage). The core can't open a browser: the Electron shell opens it
 * (main/shell/ipc.ts), a browser tab opens it itself.
 */
export function portalUrlOf(paths: readonly PathInfo[], name: string): string {
  const path = paths.find((p) => p.name === name);
  if (!path) throw new PathwiseError('E_NOT_FOUND', `There is no path ${name}.`);
  const url = path.health?.status === 'captive' ? path.health.portalUrl : undefined;
  if (!url) {
    throw new PathwiseError(
      'E_NOT_FOUND',
      `${name} is not behind a captive portal (any more): there is no sign-in page to open.`,
    );
  }
  return url;
}
