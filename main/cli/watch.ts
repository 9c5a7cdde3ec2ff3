import type { PathEvent } from '../../common/contract.ts';
import { monitorSettings, PathMonitor } from '../monitor/PathMonitor.ts';
import { openDataHome } from './dataHome.ts';
import { AppConnection } from './handoffClient.ts';
import { openSettings } from './interfaces.ts';
import type { CliIo } from './io.ts';

export function formatEvent(event: PathEvent): string {
  const p = event.path;
  let what: string;
  switch (event.type) {
    case 'path-added':
      what = p ? `${p.type}, ${p.up ? 'up' : 'down'}, ${p.addresses.join(', ') || 'no address'}` : '';
      break;
    case 'address-changed':
      what = event.addresses?.join(', ') || 'no address';
      break;
    case 'health-changed': {
      // The state's word (up, suspect, degraded, portal, offline), then why, and a portal's page.
      const h = event.health;
      const state = event.state ?? h?.status ?? '';
      const rtt = h?.rttMs != null && state !== 'offline' ? ` ${Math.round(h.rttMs)} ms` : '';
      const reason = event.reason ?? h?.detail;
      const portal = h?.portalUrl ? ` (sign in at ${h.portalUrl})` : '';
      what = `${state}${rtt}${reason ? ` — ${reason}` : ''}${portal}`;
      break;
    }
    default:
      what = p?.type ?? '';
  }
  return `${event.at}  ${event.type.padEnd(15)}  ${event.name.padEnd(15)}  ${what}`.trimEnd();
}

/**
 * Streams path events until interrupted: first a path-added for every path that exists, then
 * each change as it happens. With --json, one PathEvent object a line; a health-changed one
 * carries `state` (up, suspect, degraded, portal, offline) and `reason`.
 *
 * When the app (or `pathwise serve`) runs, these are its events, over the local socket: its monitor
 * hears its downloads' stalls at once (a blackholed path is offline within 3 s under traffic),
 * which a monitor in this process could not. When that app stops, the watch goes on here.
 */
export async function runWatch(
  options: { json: boolean; dataDir?: string | undefined },
  io: CliIo,
): Promise<number> {
  const print = (event: PathEvent): void => {
    io.stdout.write(`${options.json ? JSON.stringify(event) : formatEvent(event)}\n`);
  };
  const dataDir = openDataHome(options.dataDir, io);
  const stopped = untilStopped(io);
  const app = await AppConnection.open(dataDir);
  if (app) {
    const watching = await watchApp(app, print).catch(() => false);
    if (watching && (await Promise.race([stopped.then(() => true), app.ended().then(() => false)]))) {
      app.close();
      return 0;
    }
    app.close();
    io.stderr.write(
      "pathwise: the Pathwise app stopped; watching from here now (its downloads' stalls are no longer heard).\n",
    );
  }
  return watchHere(options.dataDir, io, print, stopped);
}

/** The app's paths and then its events; false when it could not be asked. */
async function watchApp(app: AppConnection, print: (event: PathEvent) => void): Promise<boolean> {
  await app.watch((paths) => {
    const at = new Date().toISOString();
    for (const path of paths) print({ type: 'path-added', name: path.name, at, path });
  }, print);
  return true;
}

/** This process's own monitor, until the watch is stopped. */
async function watchHere(
  dataDir: string | undefined,
  io: CliIo,
  print: (event: PathEvent) => void,
  stopped: Promise<void>,
): Promise<number> {
  const settings = await openSettings(dataDir, io);
  const monitor = new PathMonitor(monitorSettings(() => settings.get()));
  monitor.on('event', print);
  // The monitor's timers are unref'd so one-shot commands can exit; a watch must stay up.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await monitor.start();
    await stopped;
  } finally {
    clearInterval(keepAlive);
    monitor.stop();
  }
  return 0;
}

/** Ctrl-C, a TERM, or a reader that went away (`pathwise watch | head`) ends the watch quietly. */
function untilStopped(io: CliIo): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    io.stdout.once('error', () => resolve());
  });
}
