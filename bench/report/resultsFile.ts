import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/cli.ts';
import type { ScenarioResult } from './ScenarioResult.ts';

/**
 * Writes every figure of the run to bench/results/<time>.json (git-ignored), with the load
 * average at the start, so runs on a busy machine can be told apart, and the settings (sizes,
 * rounds) the figures were measured with; returns the file's path.
 */
export function writeResults(
  load: number[],
  settings: Record<string, number>,
  results: ScenarioResult[],
): string {
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), loadavg: load, settings, results }, null, 2),
  );
  return file;
}
