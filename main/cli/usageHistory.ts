import type { UsagePeriod } from '../../common/contract.ts';
import { formatBytes } from '../../common/format.ts';
import { usageCsv, usageJson } from '../../common/usageHistory.ts';

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function row(p: UsagePeriod): string[] {
  const notes = [
    p.estimatedBytes > 0 ? `~${formatBytes(p.estimatedBytes)} estimated` : '',
    p.adjustedBytes !== 0
      ? `${p.adjustedBytes > 0 ? '+' : '−'}${formatBytes(Math.abs(p.adjustedBytes))} corrected`
      : '',
  ].filter(Boolean);
  return [
    p.path,
    p.label,
    formatBytes(p.appBytes),
    `${p.estimatedBytes > 0 ? '~' : ''}${formatBytes(p.allBytes)}`,
    p.cost === null ? '—' : `${p.cost.toFixed(2)} ${p.currency ?? ''}`.trimEnd(),
    notes.join(', '),
  ];
}

/**
 * `pathwise usage --days|--months|--cycles` as a table, as JSON (`--json`, `--export json`) or as
 * CSV (`--export csv`, one row per path and period, plain numbers, for a spreadsheet); the file
 * formats are common/usageHistory.ts's, which the dashboard's export writes too.
 */
export function formatPeriods(periods: readonly UsagePeriod[], as: 'table' | 'csv' | 'json'): string {
  if (as === 'json') return usageJson(periods);
  if (as === 'csv') return usageCsv(periods);
  if (periods.length === 0) return 'No usage recorded in that time.\n';
  return table([['PATH', 'PERIOD', 'PATHWISE', 'ALL TRAFFIC', 'COST', 'NOTE'], ...periods.map(row)]);
}
