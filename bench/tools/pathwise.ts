/** `pathwise get --json`: its command line and what its JSON lines report. */
import { join } from 'node:path';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL } from '../lab/nginx.ts';
import { timed, type Timed } from '../lab/timed.ts';

/** The last line `pathwise get --json` prints: how the download ended. */
export interface PathwiseFinal {
  status: string;
  sha256?: string;
  durationMs?: number;
  resumedBytes?: number;
  fetchedBytes?: number;
  paths?: Record<string, { bytes: number }>;
  error?: { code: string; message: string };
}

/** A line it prints when the download moved off a path (a failover's stall is timed here). */
export interface Continuity {
  type: 'continuity';
  kind: string;
  from: string | null;
  to: string | null;
  stallMs: number;
}

export interface PathwiseReport {
  final: PathwiseFinal;
  continuity: Continuity[];
}

export function parsePathwise(stdout: string): PathwiseReport {
  const lines = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    final: (lines.at(-1) ?? { status: 'none' }) as unknown as PathwiseFinal,
    continuity: lines.filter((l) => l['type'] === 'continuity') as unknown as Continuity[],
  };
}

/** `pathwise get` of the measured file into `pathwise.bin` under `out`, with `extra` options. */
export function pathwiseGetArgs(out: string, extra: string[]): string[] {
  return ['get', FILE_URL, '-o', join(out, 'pathwise.bin'), '--json', ...extra];
}

/** `pathwise get` started from a shell, timed. */
export async function runPathwise(b: BenchLab, args: string[]): Promise<Timed & PathwiseReport> {
  b.clean();
  const t = await timed(b.lab as NetLab, PATHWISE_BIN, pathwiseGetArgs(b.out, args));
  return { ...t, ...parsePathwise(t.stdout) };
}
