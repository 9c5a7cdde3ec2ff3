import { PathMonitor } from '../monitor/PathMonitor.ts';
import type { CliIo } from './main.ts';

export async function runInterfaces(options: { json: boolean }, io: CliIo): Promise<number> {
  const monitor = new PathMonitor();
  const paths = await monitor.refresh();
  if (options.json) {
    io.stdout.write(`${JSON.stringify(paths)}\n`);
    return 0;
  }
  const rows = paths.map((p) => [
    p.name,
    p.type,
    p.up ? 'up' : 'down',
    p.metered ? 'metered' : '',
    p.addresses.join(', ') || '—',
  ]);
  const header = ['NAME', 'TYPE', 'STATE', 'METERED', 'ADDRESSES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return 0;
}
