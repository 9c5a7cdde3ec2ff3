import type { PathUsage, UsageSummary } from '../../common/contract.ts';
import { resolveDataDir } from '../base/dataDir.ts';
import { formatBytes } from '../../common/format.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { openSettings } from './interfaces.ts';
import type { CliIo } from './io.ts';

export interface UsageOptions {
  json: boolean;
  dataDir?: string | undefined;
}

/**
 * `pathwise usage`: this cycle per path from the ledger the app keeps — app bytes, all bytes,
 * cap, cost, forecast, energy. Reads only: the running app (if any) keeps writing.
 */
export async function runUsage(options: UsageOptions, io: CliIo): Promise<number> {
  const settings = await openSettings(options.dataDir, io);
  const { ledger, warning } = Ledger.open({
    dataDir: resolveDataDir(options.dataDir, process.env),
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (warning) io.stderr.write(`pathwise: ${warning}\n`);
  try {
    const summary = ledger.summary();
    io.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatUsage(summary));
  } finally {
    ledger.close();
  }
  return 0;
}

function money(value: number, currency: string | null): string {
  return currency ? `${value.toFixed(2)} ${currency}` : '—';
}

function row(p: PathUsage): string[] {
  const cap = p.capBytes === null ? 'no cap' : formatBytes(p.capBytes);
  const pct = p.capBytes ? ` (${Math.round((p.allBytes / p.capBytes) * 100)}%)` : '';
  return [
    p.name,
    formatBytes(p.appBytes),
    `${formatBytes(p.allBytes)}${pct}`,
    cap,
    money(p.cost, p.currency),
    `${formatBytes(p.forecastBytes)} / ${money(p.forecastCost, p.currency)}`,
    `${p.energyWh.toFixed(2)} Wh${p.energyBatteryPct === null ? '' : ` (${p.energyBatteryPct.toFixed(1)}% battery)`}`,
    p.cycle.end.slice(0, 10),
  ];
}

export function formatUsage(summary: UsageSummary): string {
  if (summary.paths.length === 0) {
    return 'No usage recorded yet: Pathwise records it while the app (or `pathwise serve`) runs.\n';
  }
  const header = ['PATH', 'PATHWISE', 'ALL TRAFFIC', 'CAP', 'COST', 'FORECAST', 'ENERGY', 'RESETS'];
  const rows = [header, ...summary.paths.map(row)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
