import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { NetLab } from '../../test/support/netns.ts';
import type { BenchLab } from '../lab/BenchLab.ts';
import { FILE_URL } from '../lab/nginx.ts';
import { holdsFile } from '../lab/testFile.ts';
import { timed, type Timed } from '../lab/timed.ts';

/**
 * aria2c's command line as every scenario races it: `connections` per server split over the
 * addresses of `paths` (--multiple-interface), into `aria2.bin` under the lab's output folder,
 * without preallocating it, quiet.
 */
export function aria2Args(b: BenchLab, paths: string[], connections: number, extra: string[] = []): string[] {
  return [
    `-x${connections}`,
    `-s${connections}`,
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

/** aria2c started from a shell, timed; `ok` when it exited cleanly with the right bytes. */
export async function runAria2(
  b: BenchLab,
  paths: string[],
  connections: number,
  during?: (child: ChildProcess) => void,
): Promise<Timed & { ok: boolean }> {
  b.clean();
  const lab = b.lab as NetLab;
  let started = false;
  const t = await timed(lab, 'aria2c', aria2Args(b, paths, connections), {
    onLine: (_l, child) => {
      if (!started) {
        started = true;
        during?.(child);
      }
    },
  });
  const ok = t.code === 0 && (await holdsFile(join(b.out, 'aria2.bin'), b.sha));
  return { ...t, ok };
}
