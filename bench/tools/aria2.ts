import { join } from 'node:path';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL } from '../lab/nginx.ts';
import { holdsFile } from '../lab/testFile.ts';
import { runFailure, timed, type Timed } from '../lab/timed.ts';
import { ARIA2_RESILIENCE, aria2ConnectionArgs } from './aria2Options.ts';

/**
 * aria2c's command line as every scenario races it: `connections` in all, spread over the
 * addresses of `paths` (--multiple-interface), with the timeouts and retries of aria2Options.ts,
 * into `aria2.bin` under the lab's output folder, without preallocating it, quiet.
 */
export function aria2Args(b: BenchLab, paths: string[], connections: number, extra: string[] = []): string[] {
  return [
    ...aria2ConnectionArgs(connections),
    ...ARIA2_RESILIENCE,
    `--multiple-interface=${paths.map((p) => b.addr(p)).join(',')}`,
    '-d',
    b.out,
    '-o',
    'aria2.bin',
    '--file-allocation=none',
    '--allow-overwrite=true',
    '--auto-file-renaming=false',
    '--console-log-level=warn',
    '--summary-interval=0',
    '--check-certificate=false',
    ...extra,
    FILE_URL,
  ];
}

/** How a table names aria2 at `connections` in all over `paths` paths. */
export function aria2Label(connections: number, paths = 2): string {
  return `aria2 -x${connections} (${connections / paths}/path)`;
}

export interface Aria2Run extends Timed {
  /** Exited 0 with the right bytes; else `failure` says why. */
  ok: boolean;
  failure: string | null;
}

/** aria2c started from a shell, timed. */
export async function runAria2(
  b: BenchLab,
  paths: string[],
  connections: number,
  options: { timeoutMs?: number } = {},
): Promise<Aria2Run> {
  b.clean();
  const t = await timed(b.lab as NetLab, 'aria2c', aria2Args(b, paths, connections), options);
  const failure = runFailure(t, await holdsFile(join(b.out, 'aria2.bin'), b.sha));
  return { ...t, ok: failure === null, failure };
}
