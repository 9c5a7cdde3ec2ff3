import type { PathInfo } from '../../common/contract.ts';
import { formatLinkSpeed } from '../../common/format.ts';
import { SettingsStore } from '../core/SettingsStore.ts';
import { monitorSettings, PathMonitor } from '../monitor/PathMonitor.ts';
import { openDataHome } from './dataHome.ts';
import type { CliIo } from './io.ts';

export interface InterfacesOptions {
  json: boolean;
  /** Probe each path's health (one short attempt); off with --no-probe. */
  probe: boolean;
  dataDir?: string | undefined;
}

/** The user's settings (overrides, preferences, probe URL) for a one-off command. */
export async function openSettings(dataDir: string | undefined, io: CliIo): Promise<SettingsStore> {
  const { store, warning } = await SettingsStore.open(openDataHome(dataDir, io), process.env);
  if (warning) io.stderr.write(`pathwise: ${warning}\n`);
  return store;
}

export async function runInterfaces(options: InterfacesOptions, io: CliIo): Promise<number> {
  const settings = await openSettings(options.dataDir, io);
  const monitor = new PathMonitor({
    ...monitorSettings(() => settings.get()),
    ...(options.probe ? {} : { probeUrl: () => undefined }),
  });
  try {
    const paths = await monitor.refresh({ details: true, probe: options.probe });
    io.stdout.write(options.json ? `${JSON.stringify(paths)}\n` : formatTable(paths));
  } finally {
    monitor.stop();
  }
  return 0;
}

const dash = '—';

function metered(p: PathInfo): string {
  const source = p.meteredSource === 'user' ? ' (you)' : p.meteredSource === 'os' ? ' (OS)' : '';
  return `${p.metered ? 'yes' : 'no'}${source}`;
}

function wifi(p: PathInfo): string {
  if (p.type !== 'wifi') return '';
  const signal = p.signalDbm != null ? ` ${p.signalDbm} dBm` : '';
  return `${p.ssid ?? dash}${signal}`;
}

export function formatTable(paths: PathInfo[]): string {
  const rows = paths.map((p) => [
    p.name,
    p.type,
    p.up ? 'up' : 'down',
    metered(p),
    p.health?.status ?? dash,
    p.health?.rttMs != null ? `${Math.round(p.health.rttMs)} ms` : dash,
    p.speedMbps ? formatLinkSpeed(p.speedMbps) : dash,
    wifi(p),
    p.addresses.join(', ') || dash,
  ]);
  const header = ['NAME', 'TYPE', 'STATE', 'METERED', 'HEALTH', 'RTT', 'SPEED', 'WI-FI', 'ADDRESSES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const notes = paths
    .filter((p) => p.health?.detail && p.health.status !== 'good')
    .map(
      (p) =>
        `${p.name}: ${p.health?.detail}${p.health?.portalUrl ? ` Sign in at ${p.health.portalUrl}` : ''}`,
    );
  return `${[line(header), ...rows.map(line), ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}
