/**
 * How a scenario's result is printed: a heading, an aligned table, then each target MET, MISS or
 * UNDECIDED (aria2, the yardstick, failed) with the figure it was judged on.
 */
import type { ScenarioResult } from './ScenarioResult.ts';

/** A figure for a table cell or a target's value: `n/a` where it could not be measured. */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

export function printResult(result: ScenarioResult): void {
  console.log(`\n## ${result.scenario} — ${result.lab}`);
  const columns = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
  const cells = result.rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(columns));
  for (const row of cells) console.log(line(row));
  for (const t of result.targets) console.log(`  ${t.verdict.padEnd(9)} ${t.target}: ${t.value}`);
}
