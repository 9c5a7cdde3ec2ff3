/** `pathwise get --json`: its command line and what its JSON lines report. */
import { join } from 'node:path';
import { DEFAULT_TUNING } from '../../main/engine/TransferOptions.ts';
import { PATHWISE_BIN } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL } from '../lab/nginx.ts';
import { runFailure, timed, type Timed } from '../lab/timed.ts';

/**
 * The connections per path Pathwise opens when not told otherwise (`pathwise get` and the app's
 * core alike): aria2 is given as many in every race (aria2.ts).
 */
export const PATHWISE_CONNECTIONS_PER_PATH = DEFAULT_TUNING.connectionsPerPath;

/** The last line `pathwise get --json` prints: how the download ended. */
export interface PathwiseFinal {
  status: string;
  sha256?: string;
  durationMs?: number;
  resumedBytes?: number;
  fetchedBytes?: number;
  paths?: Record<string, { bytes: number }>;
  /** A download from mirrors: each source's bytes and state (dropped: why). */
  sources?: Array<{ url: string; bytes: number; state: string; why: string | null }>;
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

/** Its JSON lines; a line cut short (a run stopped at its time limit) is left out. */
export function parsePathwise(stdout: string): PathwiseReport {
  const lines = stdout
    .trim()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return {
    final: (lines.at(-1) ?? { status: 'none' }) as unknown as PathwiseFinal,
    continuity: lines.filter((l) => l['type'] === 'continuity') as unknown as Continuity[],
  };
}

/** `pathwise get` of the measured file into `pathwise.bin` under `out`, with `extra` options. */
export function pathwiseGetArgs(out: string, extra: string[]): string[] {
  return ['get', FILE_URL, '-o', join(out, 'pathwise.bin'), '--json', ...extra];
}

export interface PathwiseRun extends Timed, PathwiseReport {
  /** Exited 0 with the right bytes (its own SHA-256 line); else `failure` says why. */
  ok: boolean;
  failure: string | null;
}

/** `pathwise get` started from a shell, timed. */
export async function runPathwise(
  b: BenchLab,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<PathwiseRun> {
  b.clean();
  const t = await timed(b.lab as NetLab, PATHWISE_BIN, pathwiseGetArgs(b.out, args), options);
  return withOutcome(t, b.sha);
}

/** A `pathwise get` run's report and whether it ended well, from what it printed. */
export function withOutcome(t: Timed, sha: string): PathwiseRun {
  const report = parsePathwise(t.stdout);
  const failure = runFailure(t, report.final.sha256 === sha);
  return { ...t, ...report, ok: failure === null, failure };
}
