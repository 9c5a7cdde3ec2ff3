import type { PathEvent } from '../../common/contract.ts';
import { monitorSettings, PathMonitor } from '../monitor/PathMonitor.ts';
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
 */
export async function runWatch(
  options: { json: boolean; dataDir?: string | undefined },
  io: CliIo,
): Promise<number> {
  const settings = await openSettings(options.dataDir, io);
  const monitor = new PathMonitor(monitorSettings(() => settings.get()));
  monitor.on('event', (event) => {
    io.stdout.write(`${options.json ? JSON.stringify(event) : formatEvent(event)}\n`);
  });
  // The monitor's timers are unref'd so one-shot commands can exit; a watch must stay up.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await monitor.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
      // A reader that went away (`pathwise watch | head`) ends the watch quietly.
      io.stdout.once('error', () => resolve());
    });
  } finally {
    clearInterval(keepAlive);
    monitor.stop();
  }
  return 0;
}
