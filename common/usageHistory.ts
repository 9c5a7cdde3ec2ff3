/**
 * Usage history as a file: the one CSV and JSON writer for `pathwise usage --export` and the
 * dashboard's "Export CSV" / "Export JSON", so both give a spreadsheet the same columns.
 */
import type { UsagePeriod } from './contract.ts';

export type UsagePeriodKind = 'day' | 'month' | 'cycle';

/** How many periods the history shows when nobody says: a month of days, a year, six bills. */
export const DEFAULT_PERIOD_COUNT: Record<UsagePeriodKind, number> = { day: 30, month: 12, cycle: 6 };

/** The CSV's columns, in order: a period's fields, plain numbers (bytes, money) for a spreadsheet. */
export const USAGE_CSV_COLUMNS = [
  'path',
  'label',
  'start',
  'end',
  'appBytes',
  'allBytes',
  'estimatedBytes',
  'adjustedBytes',
  'cost',
  'currency',
] as const;

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One header line, then one line per path and period; an empty field where there is no plan. */
export function usageCsv(periods: readonly UsagePeriod[]): string {
  const lines = periods.map((p) => USAGE_CSV_COLUMNS.map((c) => csvField(p[c])).join(','));
  return `${[USAGE_CSV_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/** The periods as the contract has them, indented for a person. */
export function usageJson(periods: readonly UsagePeriod[]): string {
  return `${JSON.stringify(periods, null, 2)}\n`;
}
