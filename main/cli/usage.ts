import type { PathUsage, UsageSummary } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { resolveDataDir } from '../base/dataDir.ts';
import { formatBytes, parseByteSize } from '../../common/format.ts';
import { localDate } from '../ledger/calendar.ts';
import { Ledger } from '../ledger/Ledger.ts';
import type { PeriodKind } from '../ledger/UsagePeriods.ts';
import { formatPeriods } from './usageHistory.ts';
import { openSettings } from './interfaces.ts';
import { parseCommandArgs } from './args.ts';
import { commandSpec, type CommandSpec } from './commands.ts';
import type { CliIo } from './io.ts';

export interface UsageOptions {
  json: boolean;
  dataDir?: string | undefined;
  /** History instead of this cycle: the last days, calendar months or billing cycles. */
  periods?: PeriodKind | undefined;
  /** History as a file's contents: CSV or JSON (periods default to days). */
  exportAs?: 'csv' | 'json' | undefined;
  /** `PATH=SIZE`: set this cycle's count to the carrier's figure. */
  correct?: string | undefined;
  /** Start this cycle's count on PATH from zero. */
  reset?: string | undefined;
}

const PERIOD_COUNT: Record<PeriodKind, number> = { day: 30, month: 12, cycle: 6 };

/** `pathwise usage` with its arguments (main.ts hands them over as they came). */
export async function runUsageArgs(args: string[], io: CliIo): Promise<number> {
  // Its options are the command table's (commands.ts), as its help and completion are.
  const parsed = parseCommandArgs(commandSpec('usage') as CommandSpec, args);
  const values = {
    days: parsed.flag('days'),
    months: parsed.flag('months'),
    cycles: parsed.flag('cycles'),
    export: parsed.string('export'),
  };
  const kinds = (['days', 'months', 'cycles'] as const).filter((k) => values[k]);
  if (kinds.length > 1) throw new PathwiseError('E_USAGE', 'Pick one of --days, --months and --cycles.');
  if (values.export !== undefined && values.export !== 'csv' && values.export !== 'json') {
    throw new PathwiseError('E_USAGE', `--export takes csv or json, not "${values.export}".`);
  }
  const kind = { days: 'day', months: 'month', cycles: 'cycle' } as const;
  return runUsage(
    {
      json: parsed.flag('json') ?? false,
      dataDir: parsed.string('data-dir'),
      periods: kinds[0] ? kind[kinds[0]] : undefined,
      exportAs: values.export as 'csv' | 'json' | undefined,
      correct: parsed.string('correct'),
      reset: parsed.string('reset'),
    },
    io,
  );
}

/**
 * `pathwise usage`: this cycle per path from the ledger the app keeps — app bytes, all bytes,
 * cap, cost, forecast, energy — or its history, or a correction. Never reads counters, so it never
 * touches the baselines the running app owns; the app sees a correction at its next flush.
 */
export async function runUsage(options: UsageOptions, io: CliIo): Promise<number> {
  const correction = options.correct === undefined ? undefined : parseCorrection(options.correct);
  const settings = await openSettings(options.dataDir, io);
  const { ledger, warning } = Ledger.open({
    dataDir: resolveDataDir(options.dataDir, process.env),
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (warning) io.stderr.write(`pathwise: ${warning}\n`);
  ledger.on('warning', (message) => io.stderr.write(`pathwise: ${message}\n`));
  try {
    if (correction) {
      const change = ledger.correct(correction.path, correction.bytes);
      io.stdout.write(adjustedText(correction.path, correction.bytes, change));
    } else if (options.reset !== undefined) {
      io.stdout.write(adjustedText(options.reset, 0, ledger.reset(options.reset)));
    } else if (options.periods || options.exportAs) {
      const rows = ledger.periods(options.periods ?? 'day', PERIOD_COUNT[options.periods ?? 'day']);
      io.stdout.write(formatPeriods(rows, options.exportAs ?? (options.json ? 'json' : 'table')));
    } else {
      const summary = ledger.summary();
      io.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatUsage(summary));
    }
  } finally {
    ledger.close();
  }
  return 0;
}

function parseCorrection(text: string): { path: string; bytes: number } {
  const at = text.lastIndexOf('=');
  const bytes = at > 0 ? parseByteSize(text.slice(at + 1)) : null;
  if (at <= 0 || bytes === null) {
    throw new PathwiseError('E_USAGE', `--correct takes PATH=SIZE, e.g. wwan0=3.2GB, not "${text}".`);
  }
  return { path: text.slice(0, at), bytes };
}

function adjustedText(path: string, bytes: number, change: number): string {
  const sign = change < 0 ? '−' : '+';
  return `${path}: this cycle's count is now ${formatBytes(bytes)} (an adjustment of ${sign}${formatBytes(Math.abs(change))}; the measured rows are kept).\n`;
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
    // "~": part of it was counted for a time Pathwise was closed, its day is an estimate.
    `${p.estimatedBytes ? '~' : ''}${formatBytes(p.allBytes)}${pct}`,
    cap,
    money(p.cost, p.currency),
    forecastText(p),
    `${p.energyWh.toFixed(2)} Wh${p.energyBatteryPct === null ? '' : ` (${p.energyBatteryPct.toFixed(1)}% battery)`}`,
    // The reset is a local midnight: a UTC string's date is the day before east of Greenwich.
    localDate(Date.parse(p.cycle.end)),
  ];
}

function forecastText(p: PathUsage): string {
  // No complete day of data yet (or a sliding window): no forecast rather than a wild one.
  if (p.forecast === null) return '—';
  if (!p.forecast) return `${formatBytes(p.forecastBytes)} / ${money(p.forecastCost, p.currency)}`;
  const { lowBytes, highBytes, lowCost, highCost } = p.forecast;
  const cost = p.currency ? ` / ${lowCost.toFixed(2)}–${highCost.toFixed(2)} ${p.currency}` : '';
  return `${formatBytes(lowBytes)}–${formatBytes(highBytes)}${cost}`;
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
